package io.meshca.agent.attestation.workload.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.attestation.workload.CombinedWorkloadAttestor;
import io.meshca.agent.attestation.workload.WorkloadAttestor;
import io.meshca.agent.attestation.workload.k8s.KubeletPods.Pod;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.selector.SelectorVocabularies;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.testing.FakeClock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class K8sWorkloadAttestorTest {

    static final String POD_UID = "2c48913c-b29f-11e7-9350-020968147796";
    static final String APP_ID = "9bca8d63d5fa610783847915bcff0ecac1273e5b4bed3f6fa1b07350e0135961";
    static final String MIGRATE_ID = "1".repeat(64);
    static final String ENVOY_ID = "4".repeat(64);
    private static final Duration TTL = Duration.ofSeconds(5);
    private static final int PID = 4242;

    @TempDir
    Path proc;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-02T10:00:00Z"));
    private final List<Duration> pauses = new ArrayList<>();
    private final ScriptedPods kubelet = new ScriptedPods();

    @BeforeEach
    void kubeletListsTheFixture() throws IOException {
        kubelet.answers.add(fixture());
    }

    static List<Pod> fixture() throws IOException {
        try (InputStream in = K8sWorkloadAttestorTest.class.getResourceAsStream("pods.json")) {
            return KubeletPods.parse(in.readAllBytes());
        }
    }

    @Test
    void aProcessInAPodsContainer_getsThePodsAndTheContainersSelectors() throws Exception {
        inCgroup(
                PID,
                "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + POD_UID.replace('-', '_')
                        + ".slice/cri-containerd-" + APP_ID + ".scope\n");

        assertThat(attestor().attest(PID))
                .isEqualTo(selectors(
                        "k8s:ns:shop",
                        "k8s:sa:orders-api",
                        "k8s:pod-name:orders-7d4b9c-x2x8q",
                        "k8s:pod-uid:" + POD_UID,
                        "k8s:pod-label:app.kubernetes.io/name:orders",
                        "k8s:pod-label:pod-template-hash:7d4b9c",
                        "k8s:container-name:app",
                        "k8s:container-image:registry.example/orders:1.4",
                        "k8s:container-image:registry.example/orders@sha256:" + "2".repeat(64),
                        "k8s:node-name:node-1"));
    }

    @Test
    void everySelectorItGives_isOneTheServerAcceptsInAnEntry() throws Exception {
        inCgroup(PID, "12:memory:/kubepods/burstable/pod" + POD_UID + "/" + APP_ID + "\n");

        for (Selector selector : attestor().attest(PID)) {
            assertThatCode(() -> SelectorVocabularies.BUILT_IN.check(selector)).doesNotThrowAnyException();
        }
    }

    @Test
    void anInitContainer_isFoundToo() throws Exception {
        inCgroup(PID, "0::/kubepods/burstable/pod" + POD_UID + "/" + MIGRATE_ID + "\n");

        assertThat(attestor().attest(PID).asSet())
                .contains(Selector.parse("k8s:container-name:migrate"))
                .doesNotContain(Selector.parse("k8s:container-name:app"));
    }

    @Test
    void aProcessOutsideAPod_getsNoK8sSelectors_andTheKubeletIsNotAsked() throws Exception {
        inCgroup(PID, "0::/system.slice/sshd.service\n");

        assertThat(attestor().attest(PID).isEmpty()).isTrue();
        assertThat(kubelet.requests).isZero();
    }

    @Test
    void aProcessOutsideAPod_keepsItsOtherAttestorsSelectors() throws Exception {
        inCgroup(PID, "0::/user.slice/user-1000.slice/session-3.scope\n");
        WorkloadAttestor unix = pid -> selectors("unix:uid:1000");

        assertThat(CombinedWorkloadAttestor.of(List.of(unix, attestor())).attest(PID))
                .isEqualTo(selectors("unix:uid:1000"));
    }

    @Test
    void aContainerNotYetListed_isLookedForAgain_andFoundOnceTheKubeletListsIt() throws Exception {
        inCgroup(PID, "0::/kubepods/burstable/pod" + POD_UID + "/" + ENVOY_ID + "\n");
        kubelet.answers.add(fixture());
        kubelet.answers.add(withEnvoyStarted());

        assertThat(attestor().attest(PID).asSet()).contains(Selector.parse("k8s:container-name:envoy"));
        assertThat(kubelet.requests).isEqualTo(3);
        assertThat(pauses).containsExactly(K8sWorkloadAttestor.RETRY_INTERVAL, K8sWorkloadAttestor.RETRY_INTERVAL);
    }

    @Test
    void aContainerNeverListed_failsAsUnavailable_afterEveryAttempt() throws Exception {
        inCgroup(PID, "0::/kubepods/burstable/pod" + POD_UID + "/" + ENVOY_ID + "\n");

        assertThatThrownBy(() -> attestor().attest(PID))
                .isInstanceOf(UnavailableException.class)
                .hasMessage(K8sWorkloadAttestor.POD_NOT_LISTED);
        assertThat(kubelet.requests).isEqualTo(K8sWorkloadAttestor.ATTEMPTS);
        assertThat(pauses).hasSize(K8sWorkloadAttestor.ATTEMPTS - 1);
    }

    @Test
    void aKubeletThatFailsOnce_isAskedAgain() throws Exception {
        inCgroup(PID, "0::/kubepods/burstable/pod" + POD_UID + "/" + APP_ID + "\n");
        kubelet.answers.add(0, new IOException("connection refused"));

        assertThat(attestor().attest(PID).asSet()).contains(Selector.parse("k8s:container-name:app"));
        assertThat(kubelet.requests).isEqualTo(2);
    }

    @Test
    void thePodList_answersForItsTtl_thenIsFetchedAgain() throws Exception {
        inCgroup(PID, "0::/kubepods/burstable/pod" + POD_UID + "/" + APP_ID + "\n");
        K8sWorkloadAttestor attestor = attestor();

        attestor.attest(PID);
        clock.advance(TTL.minusMillis(1));
        attestor.attest(PID);
        assertThat(kubelet.requests).isEqualTo(1);

        clock.advance(Duration.ofMillis(1));
        attestor.attest(PID);
        assertThat(kubelet.requests).isEqualTo(2);
        assertThat(pauses).isEmpty();
    }

    @Test
    void aProcessThatIsGone_isRefused() {
        assertThatThrownBy(() -> attestor().attest(PID)).isInstanceOf(PermissionDeniedException.class);
    }

    private K8sWorkloadAttestor attestor() {
        return new K8sWorkloadAttestor(proc, kubelet, clock, TTL, pauses::add);
    }

    private void inCgroup(int pid, String cgroupFile) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(dir.resolve("cgroup"), cgroupFile, StandardCharsets.UTF_8);
    }

    private static List<Pod> withEnvoyStarted() throws IOException {
        List<Pod> pods = fixture();
        Pod orders = pods.get(0);
        List<KubeletPods.ContainerStatus> statuses = new ArrayList<>();
        for (KubeletPods.ContainerStatus status : orders.status().containerStatuses()) {
            statuses.add(
                    status.name().equals("envoy")
                            ? new KubeletPods.ContainerStatus(
                                    "envoy",
                                    status.image(),
                                    "envoyproxy/envoy@sha256:" + "5".repeat(64),
                                    "containerd://" + ENVOY_ID)
                            : status);
        }
        Pod started = new Pod(
                orders.metadata(),
                orders.spec(),
                new KubeletPods.Status(
                        statuses,
                        orders.status().initContainerStatuses(),
                        orders.status().ephemeralContainerStatuses()));
        return List.of(started, pods.get(1));
    }

    private static SelectorSet selectors(String... selectors) {
        return SelectorSet.of(Stream.of(selectors).map(Selector::parse).toList());
    }

    /** Answers each request with the next scripted answer, the last one for good. */
    private static final class ScriptedPods implements PodSource {
        final List<Object> answers = new ArrayList<>();
        int requests;

        @Override
        @SuppressWarnings("unchecked")
        public List<Pod> pods() throws IOException {
            Object answer = answers.get(Math.min(requests, answers.size() - 1));
            requests++;
            if (answer instanceof IOException e) {
                throw e;
            }
            return (List<Pod>) answer;
        }
    }
}
