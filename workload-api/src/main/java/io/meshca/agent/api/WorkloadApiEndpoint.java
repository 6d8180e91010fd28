package io.meshca.agent.api;

import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.meshca.agent.attestation.workload.WorkloadAttestor;
import io.meshca.agent.cache.WorkloadIdentitySource;
import io.meshca.agent.endpoint.UnixSocketServer;
import io.meshca.agent.jwt.JwtSvidCache;
import io.meshca.agent.jwt.JwtSvidValidator;
import io.meshca.common.grpc.ErrorMappingInterceptor;
import java.nio.file.Path;
import java.util.List;

/**
 * Wires the Workload API onto the agent's unix socket: header check first (cheap, refuses forged
 * requests), then attestation of the kernel-reported peer, then the service, whose exceptions become
 * the call's status.
 */
public final class WorkloadApiEndpoint {

    private WorkloadApiEndpoint() {}

    /** The Workload API with its interceptors, for a server that also carries other services (SDS). */
    public static ServerServiceDefinition service(WorkloadIdentitySource source, WorkloadAttestor attestor) {
        // ServerInterceptors.intercept runs the last interceptor first.
        return ServerInterceptors.intercept(
                new WorkloadApiService(source),
                new ErrorMappingInterceptor(),
                new WorkloadAttestationInterceptor(attestor),
                new SecurityHeaderInterceptor());
    }

    /** The Workload API with JWT-SVIDs (FetchJWTSVID, FetchJWTBundles, ValidateJWTSVID). */
    public static ServerServiceDefinition service(
            WorkloadIdentitySource source,
            WorkloadAttestor attestor,
            JwtSvidCache jwtSvids,
            JwtSvidValidator jwtValidator) {
        return ServerInterceptors.intercept(
                new WorkloadApiService(source, jwtSvids, jwtValidator),
                new ErrorMappingInterceptor(),
                new WorkloadAttestationInterceptor(attestor),
                new SecurityHeaderInterceptor());
    }

    /**
     * Serves the Workload API on {@code socket} until the returned server is closed.
     *
     * @throws io.meshca.common.error.UnavailableException if the socket cannot be bound
     */
    public static UnixSocketServer start(Path socket, WorkloadIdentitySource source, WorkloadAttestor attestor) {
        return UnixSocketServer.start(socket, List.of(service(source, attestor)));
    }
}
