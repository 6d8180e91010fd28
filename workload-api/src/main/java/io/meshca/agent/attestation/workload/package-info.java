/**
 * Workload attestation: who is calling the agent's socket, as selectors read from the kernel and
 * {@code /proc}. {@link io.meshca.agent.attestation.workload.WorkloadAttestor} is the plugin kind;
 * {@code unix} is the built-in.
 */
package io.meshca.agent.attestation.workload;
