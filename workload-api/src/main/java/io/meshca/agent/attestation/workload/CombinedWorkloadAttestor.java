package io.meshca.agent.attestation.workload;

import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Several workload attestors as one, as SPIRE's agent runs every configured workload attestor: a
 * process's selectors are the union of what each says. If any of them refuses (the process exited, its
 * PID came to name another process), the call fails, because a partial set could describe another
 * process.
 */
public final class CombinedWorkloadAttestor implements WorkloadAttestor {

    private final List<WorkloadAttestor> attestors;

    private CombinedWorkloadAttestor(List<WorkloadAttestor> attestors) {
        this.attestors = attestors;
    }

    /**
     * The attestors as one; a single attestor is returned as it is.
     *
     * @throws IllegalArgumentException if {@code attestors} is empty
     */
    public static WorkloadAttestor of(List<? extends WorkloadAttestor> attestors) {
        if (attestors.isEmpty()) {
            throw new IllegalArgumentException("no workload attestor");
        }
        if (attestors.size() == 1) {
            return attestors.get(0);
        }
        return new CombinedWorkloadAttestor(List.copyOf(attestors));
    }

    @Override
    public SelectorSet attest(int pid) {
        List<Selector> selectors = new ArrayList<>();
        for (WorkloadAttestor attestor : attestors) {
            selectors.addAll(attestor.attest(pid).asSet());
        }
        return SelectorSet.of(selectors);
    }

    @Override
    public SelectorSet attest(int pid, long startTime, ProcessStartTimes startTimes) {
        List<Selector> selectors = new ArrayList<>();
        for (WorkloadAttestor attestor : attestors) {
            selectors.addAll(attestor.attest(pid, startTime, startTimes).asSet());
        }
        return SelectorSet.of(selectors);
    }
}
