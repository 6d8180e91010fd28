package io.meshca.agent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Pod-shaped cgroups on this host, as the kubelet and a container runtime would lay them out, for
 * end-to-end tests of the {@code k8s} workload attestor with real processes. Needs root and a writable
 * cgroup mount; {@link #onThisHost} says why not where they are missing.
 *
 * <p>Two layouts, so both of the attestor's parsers meet a real kernel: the systemd driver's on cgroup
 * v2 ({@code kubepods.slice/.../cri-containerd-<id>.scope}) and cgroupfs's on a v1 hierarchy
 * ({@code kubepods/burstable/pod<uid>/<id>}). A host with only one of them uses it for both.
 */
public final class PodCgroups implements AutoCloseable {

    /** Where a cgroup layout puts a container: the directory the test moves a process into. */
    public enum Layout {
        SYSTEMD_V2,
        CGROUPFS_V1
    }

    private final Optional<Path> unified;
    private final Optional<Path> v1Hierarchy;
    private final Deque<Path> created = new ArrayDeque<>();

    private PodCgroups(Optional<Path> unified, Optional<Path> v1Hierarchy) {
        this.unified = unified;
        this.v1Hierarchy = v1Hierarchy;
    }

    /**
     * The cgroup mounts of this host, if a test may create cgroups in them.
     *
     * @return empty, with the reason in {@code why}, where it may not (not root, no cgroup mount, read-only)
     */
    public static Optional<PodCgroups> onThisHost(StringBuilder why) throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            why.append("needs root to create cgroups");
            return Optional.empty();
        }
        Optional<Path> unified = Optional.empty();
        Optional<Path> v1 = Optional.empty();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            // ... mount-point options - fstype source super-options
            String[] fields = line.split(" ");
            int dash = List.of(fields).indexOf("-");
            if (dash < 0 || dash + 3 >= fields.length || fields[5].startsWith("ro")) {
                continue;
            }
            Path mountPoint = Path.of(fields[4]);
            String type = fields[dash + 1];
            if (type.equals("cgroup2") && Files.isWritable(mountPoint)) {
                unified = Optional.of(mountPoint);
            } else if (type.equals("cgroup") && fields[dash + 3].contains("pids") && Files.isWritable(mountPoint)) {
                v1 = Optional.of(mountPoint);
            }
        }
        if (unified.isEmpty() && v1.isEmpty()) {
            why.append("no writable cgroup v2 mount or v1 pids hierarchy in /proc/self/mountinfo");
            return Optional.empty();
        }
        return Optional.of(new PodCgroups(unified, v1));
    }

    /**
     * Creates the cgroup of a container of a pod and returns the directory whose {@code cgroup.procs} a
     * process is moved into.
     *
     * @param podUid the pod's UID, as Kubernetes writes it (dashes)
     * @param containerId the runtime's 64-hex container ID
     */
    public Path container(Layout layout, String podUid, String containerId) throws IOException {
        Path leaf;
        if ((layout == Layout.SYSTEMD_V2 && unified.isPresent()) || v1Hierarchy.isEmpty()) {
            String underscored = podUid.replace('-', '_');
            leaf = unified.orElseThrow()
                    .resolve("kubepods.slice")
                    .resolve("kubepods-besteffort.slice")
                    .resolve("kubepods-besteffort-pod" + underscored + ".slice")
                    .resolve("cri-containerd-" + containerId + ".scope");
        } else {
            leaf = v1Hierarchy
                    .get()
                    .resolve("kubepods")
                    .resolve("burstable")
                    .resolve("pod" + podUid)
                    .resolve(containerId);
        }
        createDirectories(leaf);
        return leaf;
    }

    private void createDirectories(Path leaf) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = leaf; p != null && !Files.exists(p); p = p.getParent()) {
            missing.push(p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
                created.push(p);
            } catch (FileAlreadyExistsException e) {
                // made meanwhile by a test running beside this one: it is theirs to remove
            }
        }
    }

    /**
     * Removes the cgroups this created, deepest first; a cgroup that still holds a process (or one made by
     * a concurrent test) stays.
     */
    @Override
    public void close() {
        while (!created.isEmpty()) {
            try {
                Files.deleteIfExists(created.pop());
            } catch (IOException e) {
                // still populated: the kernel refuses, and a later run's close takes it
            }
        }
    }
}
