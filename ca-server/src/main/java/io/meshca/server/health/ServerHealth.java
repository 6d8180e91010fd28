package io.meshca.server.health;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;

/**
 * The server's gRPC health. The whole server ({@code ""}) is SERVING only while every part is: its active
 * X.509 CA is valid ({@value #CA}) and its datastore answers ({@value #DATASTORE}). Each part is also
 * its own health service, so that {@code server healthcheck} can say which one is down.
 *
 * <p>Parts report from their own threads (the rotator's ticks, the datastore's probe); one lock keeps
 * the overall status in step with the parts.
 */
public final class ServerHealth {

    /** SERVING while the active X.509 CA is valid. */
    public static final String CA = "meshca.ca";

    /** SERVING while the datastore answers. */
    public static final String DATASTORE = "meshca.datastore";

    /** The whole server: what load balancers and {@code healthcheck} ask first. */
    public static final String SERVER = "";

    private final HealthStatusManager manager = new HealthStatusManager();
    private boolean caValid = true;
    private boolean datastoreAvailable = true;
    private boolean stopped;

    public ServerHealth() {
        publish();
    }

    /** The gRPC health service to serve. */
    public BindableService service() {
        return manager.getHealthService();
    }

    public synchronized void caValid(boolean valid) {
        caValid = valid;
        publish();
    }

    public synchronized void datastoreAvailable(boolean available) {
        datastoreAvailable = available;
        publish();
    }

    /**
     * The server is stopping: NOT_SERVING from now on, whatever the parts report later. The parts keep
     * their last status, so a check can tell a stopping server from a broken part.
     */
    public synchronized void stop() {
        stopped = true;
        manager.setStatus(SERVER, ServingStatus.NOT_SERVING);
    }

    private void publish() {
        if (stopped) {
            return;
        }
        manager.setStatus(CA, status(caValid));
        manager.setStatus(DATASTORE, status(datastoreAvailable));
        manager.setStatus(SERVER, status(caValid && datastoreAvailable));
    }

    private static ServingStatus status(boolean serving) {
        return serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    }
}
