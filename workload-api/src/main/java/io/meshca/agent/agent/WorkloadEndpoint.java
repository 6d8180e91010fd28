package io.meshca.agent.agent;

import io.grpc.ServerServiceDefinition;
import io.meshca.agent.cache.WorkloadIdentitySource;
import io.meshca.agent.endpoint.UnixSocketServer;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts the Workload API on the unix socket over the given identity source. The one place where the
 * agent's back half (cache, rotation) meets the front half (endpoint, attestation, API services).
 */
final class WorkloadEndpoint {

    private WorkloadEndpoint() {
    }

    static AutoCloseable start(Path socket, WorkloadIdentitySource source) {
        return UnixSocketServer.start(socket, services(source));
    }

    // TODO(endpoint wiring): the SPIFFE Workload API service (io.meshca.agent.api) has not landed yet;
    // until it does, the socket is bound but answers UNIMPLEMENTED.
    private static List<ServerServiceDefinition> services(WorkloadIdentitySource source) {
        return List.of();
    }
}
