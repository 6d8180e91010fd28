package io.meshca.agent.agent;

import io.meshca.agent.api.WorkloadApiEndpoint;
import io.meshca.agent.attestation.workload.UnixWorkloadAttestor;
import io.meshca.agent.cache.WorkloadIdentitySource;
import java.nio.file.Path;

/**
 * Starts the Workload API on the unix socket over the given identity source, attesting callers with
 * the unix workload attestor. The one place where the agent's back half (cache, rotation) meets the
 * front half (endpoint, attestation, API services).
 */
final class WorkloadEndpoint {

    private WorkloadEndpoint() {
    }

    static AutoCloseable start(Path socket, WorkloadIdentitySource source) {
        return WorkloadApiEndpoint.start(socket, source, UnixWorkloadAttestor.system());
    }
}
