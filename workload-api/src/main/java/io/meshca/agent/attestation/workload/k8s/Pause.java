package io.meshca.agent.attestation.workload.k8s;

import java.time.Duration;

/** Waits between two asks of the kubelet; tests record the waits instead of sleeping. */
@FunctionalInterface
public interface Pause {

    Pause SLEEP = duration -> Thread.sleep(duration.toMillis());

    /** Returns after {@code duration}; throws if the waiting thread is interrupted. */
    void pause(Duration duration) throws InterruptedException;
}
