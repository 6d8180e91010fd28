package io.meshca.agent.sds;

import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.meshca.agent.api.WorkloadAttestationInterceptor;
import io.meshca.agent.attestation.workload.WorkloadAttestor;
import io.meshca.agent.cache.WorkloadIdentitySource;
import io.meshca.common.grpc.ErrorMappingInterceptor;

/**
 * SDS for the agent's unix socket, beside the Workload API: callers are attested exactly as there,
 * from the kernel's peer credentials, but without the Workload API's {@code workload.spiffe.io}
 * header check, because Envoy does not send that header.
 */
public final class SdsEndpoint {

    private SdsEndpoint() {}

    /** The SDS service behind workload attestation, to add to the agent socket's server. */
    public static ServerServiceDefinition service(
            WorkloadIdentitySource source, WorkloadAttestor attestor, SdsSettings settings) {
        return ServerInterceptors.intercept(
                new SecretDiscoveryService(source, settings),
                new ErrorMappingInterceptor(),
                new WorkloadAttestationInterceptor(attestor));
    }
}
