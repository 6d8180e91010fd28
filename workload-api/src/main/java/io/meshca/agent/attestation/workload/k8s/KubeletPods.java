package io.meshca.agent.attestation.workload.k8s;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The kubelet's {@code /pods} document (a Kubernetes {@code PodList}), read into only what attestation
 * needs. Everything else in it is ignored, so a newer kubelet's additions change nothing.
 */
public final class KubeletPods {

    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private KubeletPods() {}

    /**
     * The pods of a {@code PodList}.
     *
     * @throws IOException if {@code json} is not a JSON object
     */
    public static List<Pod> parse(byte[] json) throws IOException {
        PodList list = JSON.readValue(json, PodList.class);
        return list.items() == null ? List.of() : List.copyOf(list.items());
    }

    record PodList(List<Pod> items) {}

    /** One pod; any part the kubelet leaves out is null. */
    public record Pod(Metadata metadata, Spec spec, Status status) {

        boolean hasUid(String uid) {
            return metadata != null && uid.equals(metadata.uid());
        }

        /** The status of the container with runtime ID {@code containerId}, of any kind (init, ephemeral). */
        Optional<ContainerStatus> container(String containerId) {
            if (status == null) {
                return Optional.empty();
            }
            return Stream.of(
                            status.containerStatuses(),
                            status.initContainerStatuses(),
                            status.ephemeralContainerStatuses())
                    .filter(statuses -> statuses != null)
                    .flatMap(List::stream)
                    .filter(container -> container.hasId(containerId))
                    .findFirst();
        }
    }

    public record Metadata(String name, String namespace, String uid, Map<String, String> labels) {}

    public record Spec(String serviceAccountName, String nodeName) {}

    public record Status(
            List<ContainerStatus> containerStatuses,
            List<ContainerStatus> initContainerStatuses,
            List<ContainerStatus> ephemeralContainerStatuses) {}

    /**
     * A container as the runtime runs it: {@code containerID} is {@code <runtime>://<id>}, absent until
     * the container has been created; {@code imageID} is the image the runtime resolved {@code image} to.
     */
    public record ContainerStatus(String name, String image, String imageID, String containerID) {

        boolean hasId(String id) {
            return containerID != null && containerID.endsWith("://" + id);
        }
    }
}
