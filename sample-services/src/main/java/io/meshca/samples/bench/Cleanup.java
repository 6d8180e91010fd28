package io.meshca.samples.bench;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a bench must undo however it ends (server processes, a database schema): closed in reverse order
 * at {@link #close}, or by a shutdown hook when the JVM is stopped first (Ctrl-C), so that no server
 * process or schema outlives the run.
 */
final class Cleanup implements AutoCloseable {

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Thread hook = new Thread(this::interrupt, "meshca-bench-cleanup");
    private volatile boolean interrupted;

    Cleanup() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Registers {@code resource}; returns it. */
    synchronized <T extends AutoCloseable> T add(T resource) {
        resources.push(resource);
        return resource;
    }

    /** Whether the JVM is being stopped (Ctrl-C, SIGTERM) and the shutdown hook is cleaning up. */
    boolean interrupted() {
        return interrupted;
    }

    private void interrupt() {
        interrupted = true;
        closeAll();
    }

    @Override
    public void close() {
        closeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or has run closeAll itself
        }
    }

    private synchronized void closeAll() {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                System.err.println("bench: cleaning up failed: " + e);
            }
        }
    }
}
