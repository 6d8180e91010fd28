package io.meshca.agent.attestation.workload.k8s;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pod and container a process runs in, as its {@code /proc/<pid>/cgroup} names them. The kubelet
 * puts every container of a pod under the pod's cgroup, named after the pod's UID; the container
 * runtime names the container's own cgroup after the container ID. The layouts differ by cgroup driver
 * and runtime:
 *
 * <ul>
 *   <li>cgroupfs: {@code /kubepods/burstable/pod<uid>/<id>} (a guaranteed pod sits directly under
 *       {@code /kubepods});
 *   <li>systemd: {@code /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid with
 *       underscores>.slice/<runtime>-<id>.scope}, the runtime prefix being {@code cri-containerd},
 *       {@code crio} or {@code docker}.
 * </ul>
 *
 * With cgroup v1 every hierarchy has a line naming the same path; with v2 there is one {@code 0::} line.
 * The cgroup is set by the runtime, and a process in a container cannot move itself out of it.
 */
public record PodCgroup(String podUid, String containerId) {

    // the pod's segment: "pod<uid>" (cgroupfs) or "kubepods-<qos>-pod<uid_with_underscores>.slice" (systemd;
    // "kubelet-kubepods-..." where the kubelet runs in its own slice, as on a kind node)
    private static final Pattern POD_SEGMENT =
            Pattern.compile("(?:[a-z]+(?:-[a-z]+)*-)?pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}"
                    + "[-_][0-9a-f]{12})(?:\\.slice)?");
    // the container's segment: "<id>" (cgroupfs) or "<runtime>-<id>.scope" (systemd); never conmon's scope
    private static final Pattern CONTAINER_SEGMENT =
            Pattern.compile("(?:(?:cri-containerd|crio|docker)-)?([0-9a-f]{64})(?:\\.scope)?");

    public PodCgroup {
        Objects.requireNonNull(podUid, "podUid");
        Objects.requireNonNull(containerId, "containerId");
    }

    /**
     * The pod and container named by the contents of a {@code /proc/<pid>/cgroup} file, or empty if the
     * process is not in a pod's container (a host process, the agent itself, a container not run by the
     * kubelet).
     */
    public static Optional<PodCgroup> parse(String cgroupFile) {
        for (String line : cgroupFile.split("\n")) {
            Optional<PodCgroup> found = parseLine(line);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static Optional<PodCgroup> parseLine(String line) {
        // hierarchy-ID:controllers:path; the path may itself contain colons, the first two fields not
        int first = line.indexOf(':');
        int second = first < 0 ? -1 : line.indexOf(':', first + 1);
        if (second < 0) {
            return Optional.empty();
        }
        String[] segments = line.substring(second + 1).split("/");
        for (int i = 0; i < segments.length - 1; i++) {
            Matcher pod = POD_SEGMENT.matcher(segments[i]);
            if (pod.matches()) {
                // the container's cgroup is the pod's child: deeper ones are the container's own children
                Matcher container = CONTAINER_SEGMENT.matcher(segments[i + 1]);
                if (container.matches()) {
                    return Optional.of(new PodCgroup(pod.group(1).replace('_', '-'), container.group(1)));
                }
            }
        }
        return Optional.empty();
    }
}
