package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.FakeKubelet;
import io.meshca.agent.testing.PodCgroups;
import io.meshca.agent.testing.PodWorkload;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.plugin.PluginsConfig;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code k8s} workload attestor with real processes and a real kernel: a real ca-server and agent,
 * a kubelet serving the node's pods over HTTPS, and workload processes that move themselves into
 * pod-shaped cgroups before they start, as a container runtime would put them. Each pod's process must
 * get its own pod's identity from the same agent socket, over the Workload API and over SDS (Istio's
 * second path: every sidecar on the node asks the one agent socket). Needs root and writable cgroups;
 * skips with the reason elsewhere.
 */
@EnabledOnOs(OS.LINUX)
class K8sPodEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String KUBELET_TOKEN = "eyJhbGciOiJSUzI1NiJ9.agent-sa.sig";

    @TempDir
    static Path dir;

    private static PodCgroups cgroups;
    private static FakeKubelet kubelet;
    private static TestServer server;
    private static RunningAgent agent;

    @BeforeAll
    static void startNode() throws Exception {
        StringBuilder why = new StringBuilder();
        cgroups = PodCgroups.onThisHost(why).orElse(null);
        assumeTrue(cgroups != null, "pod cgroups cannot be made here: " + why);
        kubelet = FakeKubelet.start("node-1", KUBELET_TOKEN);
        Path token = Files.writeString(dir.resolve("kubelet-token"), KUBELET_TOKEN + "\n");
        Path kubeletCa = kubelet.writeCa(dir.resolve("kubelet-ca.pem"));
        server = TestServer.start(dir.resolve("server"));
        Path bundle = Files.writeString(dir.resolve("bundle.pem"), server.trustBundlePem());
        Map<String, Object> k8s = Map.of(
                "kubeletUrl", kubelet.url(),
                "kubeletCaFile", kubeletCa.toString(),
                "tokenFile", token.toString(),
                "podCacheTtl", "1s");
        agent = RunningAgent.start(AgentConfig.builder()
                .trustDomain(server.trustDomain().name())
                .serverAddress("127.0.0.1")
                .serverPort(server.agentApiPort())
                .socketPath(dir.resolve("sock/api.sock"))
                .trustBundle(bundle)
                .dataDir(dir.resolve("agent"))
                .joinToken(server.generateJoinToken(Duration.ofMinutes(10), Optional.empty()))
                .plugins(PluginsConfig.of(Map.of("workloadAttestor", Map.of("unix", Map.of(), "k8s", k8s))))
                .build());
        assertThat(agent.awaitSynced(WAIT)).isTrue();
    }

    @AfterAll
    static void stopNode() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
        if (kubelet != null) {
            kubelet.close();
        }
        if (cgroups != null) {
            cgroups.close();
        }
    }

    @Test
    void twoPodsOnOneNode_eachGetTheirOwnServiceAccountsIdentity_overTheWorkloadApiAndSds() throws Exception {
        Pod payments = pod("payments", "api");
        Pod orders = pod("orders", "web");
        kubelet.add(payments.listed());
        kubelet.add(orders.listed());
        SpiffeId paymentsId = entryFor(payments);
        SpiffeId ordersId = entryFor(orders);

        Process inPayments =
                startWorkload(cgroups.container(PodCgroups.Layout.SYSTEMD_V2, payments.uid, payments.containerId));
        Process inOrders =
                startWorkload(cgroups.container(PodCgroups.Layout.CGROUPFS_V1, orders.uid, orders.containerId));

        assertThat(answers(inPayments))
                .containsExactly(PodWorkload.WORKLOAD_API + paymentsId, PodWorkload.SDS + paymentsId);
        assertThat(answers(inOrders)).containsExactly(PodWorkload.WORKLOAD_API + ordersId, PodWorkload.SDS + ordersId);
    }

    @Test
    void aProcessOutsideAnyPod_getsNoK8sSelectors_soNoPodsIdentity() throws Exception {
        Pod pod = pod("payments", "batch");
        kubelet.add(pod.listed());
        entryFor(pod);

        // this JVM has the same uid as the pods' processes, but no pod cgroup: the entry's k8s selectors
        // are not its, and the unix one alone selects nothing
        assertThatThrownBy(agent::fetchX509Svid)
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }

    @Test
    void aContainerThatCallsBeforeTheKubeletListsIt_getsItsIdentityOnceListed() throws Exception {
        Pod pod = pod("search", "indexer");
        SpiffeId id = entryFor(pod);

        Process early = startWorkload(cgroups.container(PodCgroups.Layout.SYSTEMD_V2, pod.uid, pod.containerId));
        Thread.sleep(1500); // the workload is calling by now; the kubelet lists the pod a moment later
        kubelet.add(pod.listed());

        assertThat(answers(early)).containsExactly(PodWorkload.WORKLOAD_API + id, PodWorkload.SDS + id);
    }

    /** A pod of one container, with fresh UIDs so that runs beside each other never share a cgroup. */
    private static Pod pod(String namespace, String serviceAccount) {
        byte[] id = new byte[32];
        new SecureRandom().nextBytes(id);
        return new Pod(
                namespace,
                serviceAccount,
                UUID.randomUUID().toString(),
                HexFormat.of().formatHex(id));
    }

    /**
     * Istio's identity for the pod's service account, selected by namespace and service account, and by
     * the uid every process of this test runs as: a process in a pod keeps its unix selectors.
     */
    private static SpiffeId entryFor(Pod pod) {
        SpiffeId id = SpiffeId.parse(
                "spiffe://" + server.trustDomain().name() + "/ns/" + pod.namespace + "/sa/" + pod.serviceAccount);
        server.createEntry(
                id,
                agent.agentId(),
                SelectorSet.of(
                        Selector.parse("k8s:ns:" + pod.namespace),
                        Selector.parse("k8s:sa:" + pod.serviceAccount),
                        Selector.parse("unix:uid:" + uid())),
                Duration.ofMinutes(5));
        return id;
    }

    private static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts {@link PodWorkload} as a process that first moves itself into {@code cgroup}, then becomes
     * the JVM: every thread it will have starts inside the pod's cgroup, as in a container.
     */
    private static Process startWorkload(Path cgroup) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        "/bin/sh",
                        "-c",
                        "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"",
                        cgroup.toString(),
                        java,
                        "-XX:TieredStopAtLevel=1",
                        // logback reports its own configuration on stdout when the test classpath holds
                        // several logback-test.xml files; the answers are what this test reads there
                        "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                        "-cp",
                        System.getProperty("java.class.path"),
                        PodWorkload.class.getName(),
                        agent.socketPath().toString())
                .redirectError(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("workloads.err").toFile()))
                .start();
    }

    private static List<String> answers(Process workload) throws Exception {
        String out = new String(workload.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(workload.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                .as("the workload exits")
                .isTrue();
        assertThat(workload.exitValue())
                .as("exit code; stderr: %s", Files.readString(dir.resolve("workloads.err")))
                .isZero();
        return out.lines()
                .filter(line -> line.startsWith(PodWorkload.WORKLOAD_API) || line.startsWith(PodWorkload.SDS))
                .toList();
    }

    private record Pod(String namespace, String serviceAccount, String uid, String containerId) {
        FakeKubelet.Pod listed() {
            return new FakeKubelet.Pod(
                    namespace,
                    serviceAccount + "-7d4b9c-x2x8q",
                    uid,
                    serviceAccount,
                    Map.of("app", serviceAccount),
                    List.of(new FakeKubelet.Container(
                            "app", "registry.example/" + serviceAccount + ":1.0", containerId)));
        }
    }
}
