package io.meshca.agent.agent;

import io.meshca.agent.api.WorkloadApiEndpoint;
import io.meshca.agent.attestation.workload.UnixWorkloadAttestor;
import io.meshca.agent.attestation.workload.WorkloadAttestor;
import io.meshca.agent.cache.WorkloadIdentitySource;
import io.meshca.agent.endpoint.UnixSocketServer;
import io.meshca.agent.jwt.JwtSvidCache;
import io.meshca.agent.jwt.JwtSvidValidator;
import io.meshca.agent.sds.SdsEndpoint;
import io.meshca.agent.sds.SdsSettings;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts the Workload API and Envoy SDS on the unix socket over the given identity source, attesting callers with
 * the unix workload attestor. The one place where the agent's back half (cache, rotation) meets the
 * front half (endpoint, attestation, API services).
 */
final class WorkloadEndpoint {

    private WorkloadEndpoint() {}

    /**
     * JWT-SVIDs are minted through {@code jwtSvids} and validated by {@code jwtValidator}; SDS serves
     * the same identities under the names of {@code sds}.
     */
    static AutoCloseable start(
            Path socket,
            WorkloadIdentitySource source,
            JwtSvidCache jwtSvids,
            JwtSvidValidator jwtValidator,
            SdsSettings sds) {
        WorkloadAttestor attestor = UnixWorkloadAttestor.system();
        return UnixSocketServer.start(
                socket,
                List.of(
                        WorkloadApiEndpoint.service(source, attestor, jwtSvids, jwtValidator),
                        SdsEndpoint.service(source, attestor, sds)));
    }
}
