package io.meshca.agent.attestation.workload.k8s;

import io.meshca.agent.attestation.workload.ProcFiles;
import io.meshca.agent.attestation.workload.UnixWorkloadAttestor;
import io.meshca.agent.attestation.workload.WorkloadAttestor;
import io.meshca.agent.attestation.workload.k8s.KubeletPods.ContainerStatus;
import io.meshca.agent.attestation.workload.k8s.KubeletPods.Pod;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.selector.K8sSelectors;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attests a process in a Kubernetes pod with SPIRE's {@code k8s} selectors ({@link K8sSelectors}): its
 * cgroup names the pod's UID and the container's ID ({@link PodCgroup}); the kubelet's pod list names
 * the pod's namespace, service account, name, labels and node, and the container's name and image.
 *
 * <p>A process outside a pod gets no {@code k8s} selectors (its other attestors still speak for it). A
 * container that has just started may call before the kubelet lists its ID, so a pod or container not
 * found is looked for again, {@link #ATTEMPTS} times in all, {@link #RETRY_INTERVAL} apart; after that the
 * call fails as unavailable rather than go on without the selectors its entry needs.
 */
public final class K8sWorkloadAttestor implements WorkloadAttestor {

    public static final String TYPE = K8sSelectors.TYPE;
    public static final String POD_NOT_LISTED = "the caller's pod or container is not listed by the kubelet";

    /**
     * How often a pod or container not found is looked for in all, and how long apart: about 5 s, time
     * enough for the kubelet to list a container that has just started.
     */
    public static final int ATTEMPTS = 10;

    public static final Duration RETRY_INTERVAL = Duration.ofMillis(500);

    private static final Logger log = LoggerFactory.getLogger(K8sWorkloadAttestor.class);

    private final Path procRoot;
    private final CachedPods pods;
    private final Pause pause;

    /**
     * @param procRoot the host's {@code /proc}: the agent needs the host's PID namespace
     * @param source the kubelet's pod list
     * @param podCacheTtl how long a fetched list answers before the kubelet is asked again
     * @param pause waits between two looks for a pod not found
     */
    public K8sWorkloadAttestor(Path procRoot, PodSource source, Clock clock, Duration podCacheTtl, Pause pause) {
        this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
        this.pods = new CachedPods(source, clock, podCacheTtl);
        this.pause = Objects.requireNonNull(pause, "pause");
    }

    /**
     * The {@code plugins.workloadAttestor.k8s} plugin, talking to the kubelet its block names
     * ({@link K8sAttestorSettings}).
     *
     * @throws InvalidArgumentException naming the key of the block that is wrong, or the file that
     *     cannot be read
     */
    public static K8sWorkloadAttestor create(PluginConfig block) {
        K8sAttestorSettings settings = K8sAttestorSettings.parse(block);
        return new K8sWorkloadAttestor(
                Path.of("/proc"), settings.kubeletClient(), Clock.systemUTC(), settings.podCacheTtl(), Pause.SLEEP);
    }

    @Override
    public SelectorSet attest(int pid) {
        String cgroup;
        try {
            cgroup = new String(
                    ProcFiles.read(procRoot.resolve(Integer.toString(pid)).resolve("cgroup")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PermissionDeniedException(UnixWorkloadAttestor.PROCESS_EXITED, e);
        }
        Optional<PodCgroup> inPod = PodCgroup.parse(cgroup);
        if (inPod.isEmpty()) {
            return SelectorSet.empty();
        }
        return selectors(find(inPod.get()));
    }

    private PodContainer find(PodCgroup cgroup) {
        IOException lastProblem = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                Optional<PodContainer> found = find(attempt == 1 ? pods.current() : pods.fresh(), cgroup);
                if (found.isPresent()) {
                    return found.get();
                }
                lastProblem = null;
            } catch (IOException e) {
                log.debug("kubelet pod list unavailable: {}", e.getMessage());
                lastProblem = e;
            }
            if (attempt < ATTEMPTS) {
                waitBeforeAttempt();
            }
        }
        log.warn(
                "pod not listed by the kubelet: pod_uid={} container_id={} attempts={}",
                cgroup.podUid(),
                cgroup.containerId(),
                ATTEMPTS);
        throw new UnavailableException(POD_NOT_LISTED, lastProblem);
    }

    private void waitBeforeAttempt() {
        try {
            pause.pause(RETRY_INTERVAL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException(POD_NOT_LISTED, e);
        }
    }

    private static Optional<PodContainer> find(List<Pod> pods, PodCgroup cgroup) {
        return pods.stream()
                .filter(pod -> pod.hasUid(cgroup.podUid()))
                .flatMap(pod -> pod.container(cgroup.containerId()).map(c -> new PodContainer(pod, c)).stream())
                .findFirst();
    }

    private static SelectorSet selectors(PodContainer found) {
        List<Selector> selectors = new ArrayList<>();
        Pod pod = found.pod();
        if (pod.metadata() != null) {
            add(selectors, K8sSelectors.NAMESPACE, pod.metadata().namespace());
            add(selectors, K8sSelectors.POD_NAME, pod.metadata().name());
            add(selectors, K8sSelectors.POD_UID, pod.metadata().uid());
            Map<String, String> labels =
                    pod.metadata().labels() == null ? Map.of() : pod.metadata().labels();
            labels.forEach((key, value) -> add(selectors, K8sSelectors.label(key, value == null ? "" : value)));
        }
        if (pod.spec() != null) {
            add(selectors, K8sSelectors.SERVICE_ACCOUNT, pod.spec().serviceAccountName());
            add(selectors, K8sSelectors.NODE_NAME, pod.spec().nodeName());
        }
        ContainerStatus container = found.container();
        add(selectors, K8sSelectors.CONTAINER_NAME, container.name());
        add(selectors, K8sSelectors.CONTAINER_IMAGE, container.image());
        add(selectors, K8sSelectors.CONTAINER_IMAGE, container.imageID());
        return SelectorSet.of(selectors);
    }

    private static void add(List<Selector> selectors, String key, String value) {
        if (value != null && !value.isEmpty()) {
            add(selectors, K8sSelectors.value(key, value));
        }
    }

    /**
     * A value no selector can hold (a control character, an over-long label) is left out: no entry could
     * name it, so it could never match anyway.
     */
    private static void add(List<Selector> selectors, String value) {
        try {
            selectors.add(new Selector(TYPE, value));
        } catch (InvalidArgumentException e) {
            log.debug("left out an unrepresentable selector: {}", e.getMessage());
        }
    }

    private record PodContainer(Pod pod, ContainerStatus container) {}
}
