/**
 * Workload attestation: who is calling the agent's socket, as selectors read from the kernel and
 * {@code /proc}. {@link io.meshca.agent.attestation.workload.WorkloadAttestor} is the plugin kind;
 * the built-ins are {@code unix} and, in
 * {@code k8s}, the pod and container of a process in Kubernetes.
 */
package io.meshca.agent.attestation.workload;
