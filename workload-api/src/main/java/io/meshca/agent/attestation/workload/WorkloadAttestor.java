package io.meshca.agent.attestation.workload;

import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.spiffe.SelectorSet;

/** Tells which workload a local process is, as selectors that registration entries are matched against. */
public interface WorkloadAttestor {

    String PEER_EXITED = "the process that opened this connection has exited";

    /**
     * Attests the process {@code pid}, as named by the kernel's peer credentials of its connection.
     *
     * @return the process's selectors: empty only from an attestor of a platform the process is not
     *     part of (a host process has no {@code k8s} selectors); the {@code unix} attestor's never are
     * @throws io.meshca.common.error.PermissionDeniedException if the process exited, or its PID came
     *     to name another process, while it was being attested
     */
    SelectorSet attest(int pid);

    /**
     * Attests {@code pid} as the process that opened a connection, which started at {@code startTime}
     * (read with {@code startTimes} when the connection was accepted): the selectors are returned only
     * if {@code pid} still names that process after they were read. A process that connected and then
     * exited, its PID taken by another, must not get the other's identity.
     *
     * <p>The default attests, then looks at the start time once more. An attestor that reads the
     * process's start time anyway checks it against {@code startTime} itself, reading it once.
     *
     * @throws PermissionDeniedException with {@link #PEER_EXITED} if {@code pid} no longer names the
     *     process that started at {@code startTime}, or as {@link #attest(int)} does
     */
    default SelectorSet attest(int pid, long startTime, ProcessStartTimes startTimes) {
        SelectorSet selectors = attest(pid);
        if (!startTimes.isStill(pid, startTime)) {
            throw new PermissionDeniedException(PEER_EXITED);
        }
        return selectors;
    }
}
