package io.meshca.samples.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a long-running command alive until the JVM is asked to stop (SIGTERM, Ctrl-C), then runs its
 * cleanup inside the shutdown hook and lets the JVM exit once the cleanup is done.
 */
public final class UntilStopped {

    private UntilStopped() {}

    /** Blocks the calling thread until shutdown; {@code cleanup} runs once, in the shutdown hook. */
    public static void await(Runnable cleanup) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                cleanup.run();
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "shutdown"));
        try {
            stopped.await();
            // the hook is still finishing; give it a moment rather than racing the JVM's exit
            TimeUnit.MILLISECONDS.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
