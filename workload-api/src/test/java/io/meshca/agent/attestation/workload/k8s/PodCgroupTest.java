package io.meshca.agent.attestation.workload.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PodCgroupTest {

    private static final String UID = "2c48913c-b29f-11e7-9350-020968147796";
    private static final String UID_UNDERSCORED = UID.replace('-', '_');
    private static final String ID = "9bca8d63d5fa610783847915bcff0ecac1273e5b4bed3f6fa1b07350e0135961";
    private static final PodCgroup EXPECTED = new PodCgroup(UID, ID);

    static Stream<Arguments> podProcesses() {
        return Stream.of(
                Arguments.of(
                        "containerd, cgroup v1, cgroupfs driver",
                        "12:hugetlb:/kubepods/burstable/pod" + UID + "/" + ID + "\n"
                                + "11:memory:/kubepods/burstable/pod" + UID + "/" + ID + "\n"
                                + "1:name=systemd:/kubepods/burstable/pod" + UID + "/" + ID + "\n"),
                Arguments.of(
                        "a guaranteed pod, directly under kubepods",
                        "4:cpu,cpuacct:/kubepods/pod" + UID + "/" + ID + "\n"),
                Arguments.of(
                        "containerd, cgroup v1, systemd driver",
                        "3:cpuset:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_UNDERSCORED
                                + ".slice/cri-containerd-" + ID + ".scope\n"),
                Arguments.of(
                        "containerd, cgroup v2, systemd driver",
                        "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + UID_UNDERSCORED
                                + ".slice/cri-containerd-" + ID + ".scope\n"),
                Arguments.of(
                        "a guaranteed pod, cgroup v2, systemd driver",
                        "0::/kubepods.slice/kubepods-pod" + UID_UNDERSCORED + ".slice/cri-containerd-" + ID
                                + ".scope\n"),
                Arguments.of(
                        "CRI-O, cgroup v2, systemd driver",
                        "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_UNDERSCORED
                                + ".slice/crio-" + ID + ".scope\n"),
                Arguments.of(
                        "CRI-O, cgroup v1, systemd driver",
                        "10:devices:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_UNDERSCORED
                                + ".slice/crio-" + ID + ".scope\n"),
                Arguments.of(
                        "Docker, cgroup v1, systemd driver",
                        "9:pids:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_UNDERSCORED
                                + ".slice/docker-" + ID + ".scope\n"),
                Arguments.of(
                        "Docker, cgroup v2, cgroupfs driver", "0::/kubepods/besteffort/pod" + UID + "/" + ID + "\n"),
                Arguments.of(
                        "a nested cgroup inside the container (systemd in a pod)",
                        "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_UNDERSCORED
                                + ".slice/cri-containerd-" + ID + ".scope/init.scope\n"),
                Arguments.of(
                        "a kind node, under the node container's own cgroup",
                        "0::/system.slice/docker-" + "a".repeat(64) + ".scope/kubelet.slice/kubelet-kubepods.slice/"
                                + "kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod" + UID_UNDERSCORED
                                + ".slice/cri-containerd-" + ID + ".scope\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("podProcesses")
    void aProcessInAPodsContainer_namesThePodAndTheContainer(String layout, String cgroupFile) {
        assertThat(PodCgroup.parse(cgroupFile)).contains(EXPECTED);
    }

    static Stream<Arguments> otherProcesses() {
        return Stream.of(
                Arguments.of("a host process, cgroup v2", "0::/user.slice/user-1000.slice/session-3.scope\n"),
                Arguments.of("a system service, cgroup v1", "12:memory:/system.slice/sshd.service\n1:name=systemd:/\n"),
                Arguments.of("a Docker container outside Kubernetes", "0::/system.slice/docker-" + ID + ".scope\n"),
                Arguments.of(
                        "CRI-O's conmon, beside the pod's containers",
                        "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_UNDERSCORED
                                + ".slice/crio-conmon-" + ID + ".scope\n"),
                Arguments.of("the pod's cgroup itself, no container", "0::/kubepods/burstable/pod" + UID + "\n"),
                Arguments.of("a private cgroup namespace", "0::/\n"),
                Arguments.of("an empty file", ""),
                Arguments.of("a malformed line", "kubepods/burstable/pod" + UID + "/" + ID + "\n"),
                Arguments.of(
                        "a container ID that is not 64 hex digits",
                        "0::/kubepods/burstable/pod" + UID + "/" + ID.substring(1) + "\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherProcesses")
    void aProcessOutsideAPodsContainer_namesNoPod(String layout, String cgroupFile) {
        assertThat(PodCgroup.parse(cgroupFile)).isEqualTo(Optional.empty());
    }
}
