package io.meshca.agent.attestation.workload.k8s;

import io.meshca.agent.attestation.workload.k8s.KubeletPods.Pod;
import java.io.IOException;
import java.util.List;

/** The pods running on this node, as the kubelet lists them. */
public interface PodSource {

    /**
     * Asks for the current list; every call asks anew.
     *
     * @throws IOException if the list could not be fetched or read; the message names the problem and
     *     never holds a credential
     */
    List<Pod> pods() throws IOException;
}
