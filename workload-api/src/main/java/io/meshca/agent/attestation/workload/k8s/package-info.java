/**
 * The {@code k8s} workload attestor: the pod and container of a process, from its cgroup and the
 * kubelet's pod list.
 */
package io.meshca.agent.attestation.workload.k8s;
