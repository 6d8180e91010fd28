package io.meshca.agent.agent;

import io.meshca.agent.api.WorkloadApiEndpoint;
import io.meshca.agent.attestation.workload.UnixWorkloadAttestor;
import io.meshca.agent.cache.WorkloadIdentitySource;
import io.meshca.agent.endpoint.UnixSocketServer;
import io.meshca.agent.jwt.JwtSvidCache;
import io.meshca.agent.jwt.JwtSvidValidator;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts the Workload API on the unix socket over the given identity source, attesting callers with
 * the unix workload attestor. The one place where the agent's back half (cache, rotation) meets the
 * front half (endpoint, attestation, API services).
 */
final class WorkloadEndpoint {

    private WorkloadEndpoint() {
    }

    /** JWT-SVIDs are minted through {@code jwtSvids} and validated by {@code jwtValidator}. */
    static AutoCloseable start(Path socket, WorkloadIdentitySource source, JwtSvidCache jwtSvids,
                               JwtSvidValidator jwtValidator) {
        return UnixSocketServer.start(socket,
                List.of(WorkloadApiEndpoint.service(source, UnixWorkloadAttestor.system(), jwtSvids, jwtValidator)));
    }
}
