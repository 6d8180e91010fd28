package io.meshca.common.logging;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Routes java.util.logging to SLF4J, so that grpc-java's records (it logs through java.util.logging)
 * reach the same logback configuration, format and stream as everything else. Each program's
 * {@code main} calls {@link #install()} first; the levels come back the other way through logback's
 * {@code LevelChangePropagator}.
 */
public final class JulBridge {

    private JulBridge() {}

    /** Replaces the JDK's console handler with the bridge; calling it again changes nothing. */
    public static synchronized void install() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }
}
