package io.meshca.samples.orders;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.meshca.common.config.Durations;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until a channel has a connection that works: TCP, both TLS checks, and the server's HTTP/2
 * settings (grpc-java reports {@code READY} only once those arrive, so payments has accepted orders'
 * certificate by then).
 *
 * <p>Why traffic waits for this: the first connection of a fresh JVM loads and JIT-compiles the whole
 * TLS and HTTP/2 stack on both sides. On a 2-core machine at load 5 to 9 that took over 4 s, longer
 * than a request's deadline, so the first order failed for a reason that is start-up, not the mesh.
 * Waiting here, with a start-up deadline of its own, keeps start-up out of the failure count without
 * hiding it: its duration is reported.
 */
final class ChannelReadiness {

    private static final Logger log = LoggerFactory.getLogger(ChannelReadiness.class);

    private ChannelReadiness() {}

    /**
     * Connects {@code channel} (if idle) and waits for {@link ConnectivityState#READY}; failed attempts
     * are retried with gRPC's own backoff meanwhile.
     *
     * @return how long it took
     * @throws IllegalStateException if the channel is not ready within {@code timeout} or is shut down;
     *                               the message names the last state and the failed attempts
     */
    static Duration await(ManagedChannel channel, String target, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        int failedAttempts = 0;
        ConnectivityState state = channel.getState(true);
        while (state != ConnectivityState.READY) {
            if (state == ConnectivityState.SHUTDOWN) {
                throw new IllegalStateException("the channel to payments at " + target + " was shut down");
            }
            CountDownLatch changed = new CountDownLatch(1);
            channel.notifyWhenStateChanged(state, changed::countDown);
            long left = deadline - System.nanoTime();
            if (left <= 0 || !changed.await(left, TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("payments at " + target + " not connected after "
                        + Durations.format(timeout) + ": still " + state + ", " + failedAttempts
                        + " failed connection attempts (a TLS refusal is logged above)");
            }
            // true: a channel that fell back to IDLE connects again
            state = channel.getState(true);
            if (state == ConnectivityState.TRANSIENT_FAILURE) {
                failedAttempts++;
                log.info(
                        "payments at {} not reachable yet (attempt {}), gRPC retries with backoff",
                        target,
                        failedAttempts);
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
