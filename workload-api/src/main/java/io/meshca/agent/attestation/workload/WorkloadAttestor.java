package io.meshca.agent.attestation.workload;

import io.meshca.common.spiffe.SelectorSet;

/** Tells which workload a local process is, as selectors that registration entries are matched against. */
public interface WorkloadAttestor {

    /**
     * Attests the process {@code pid}, as named by the kernel's peer credentials of its connection.
     *
     * @return the process's selectors; never empty for a live process
     * @throws io.meshca.common.error.PermissionDeniedException if the process exited, or its PID came
     *     to name another process, while it was being attested
     */
    SelectorSet attest(int pid);
}
