package io.meshca.server.api;

import io.grpc.Status;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.server.v1.SvidSigningRequest;
import io.meshca.proto.server.v1.SvidSigningResult;
import io.meshca.server.api.convert.Protos;
import io.meshca.server.ca.SvidIssuer;
import io.meshca.server.datastore.AgentRecord;
import io.meshca.server.registration.AgentAuthorizer;
import io.meshca.server.registration.RegistrationEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs a batch of CSRs for one agent: authorization is computed once per batch, then every item is
 * verified and signed in parallel on the signing pool (one thread per core), the calling thread taking
 * one item itself. No lock is held while signing. One item's failure is that item's result only.
 */
public final class BatchSigner {

    private static final Logger log = LoggerFactory.getLogger(BatchSigner.class);

    private final AgentAuthorizer authorizer;
    private final SvidIssuer issuer;
    private final Executor signingPool;

    public BatchSigner(AgentAuthorizer authorizer, SvidIssuer issuer, Executor signingPool) {
        this.authorizer = authorizer;
        this.issuer = issuer;
        this.signingPool = signingPool;
    }

    public List<SvidSigningResult> sign(AgentRecord agent, List<SvidSigningRequest> requests) {
        Map<String, RegistrationEntry> authorized = authorizer.authorizedEntriesById(agent.spiffeId(), agent.selectors());
        List<CompletableFuture<SvidSigningResult>> futures = new ArrayList<>(requests.size());
        int last = lastAuthorized(requests, authorized);
        for (int i = 0; i < requests.size(); i++) {
            SvidSigningRequest r = requests.get(i);
            RegistrationEntry entry = authorized.get(r.getEntryId());
            if (entry == null) {
                // Unknown and not-yours look the same: an agent learns nothing about other agents' entries.
                futures.add(CompletableFuture.completedFuture(failure(r.getEntryId(), Status.Code.PERMISSION_DENIED,
                        "not authorized for entry " + r.getEntryId())));
            } else if (i == last) {
                // This thread would only wait: it signs one item itself (a batch of one never changes thread).
                futures.add(null);
            } else {
                futures.add(CompletableFuture.supplyAsync(() -> signOne(agent.spiffeId(), entry, r), signingPool));
            }
        }
        SvidSigningResult own = last < 0 ? null
                : signOne(agent.spiffeId(), authorized.get(requests.get(last).getEntryId()), requests.get(last));
        List<SvidSigningResult> results = new ArrayList<>(futures.size());
        for (CompletableFuture<SvidSigningResult> f : futures) {
            results.add(f == null ? own : f.join());
        }
        return results;
    }

    private static int lastAuthorized(List<SvidSigningRequest> requests, Map<String, RegistrationEntry> authorized) {
        for (int i = requests.size() - 1; i >= 0; i--) {
            if (authorized.containsKey(requests.get(i).getEntryId())) {
                return i;
            }
        }
        return -1;
    }

    private SvidSigningResult signOne(SpiffeId agentId, RegistrationEntry entry, SvidSigningRequest r) {
        try {
            var chain = issuer.issueWorkloadSvid(entry, r.getCsr().toByteArray(), agentId);
            return SvidSigningResult.newBuilder().setEntryId(entry.id()).setSvid(Protos.svid(entry.spiffeId(), chain)).build();
        } catch (MeshcaException e) {
            return failure(entry.id(), Status.Code.valueOf(e.kind().name()), e.getMessage());
        } catch (RuntimeException e) {
            log.error("signing for entry {} failed", entry.id(), e);
            return failure(entry.id(), Status.Code.INTERNAL, "internal error");
        }
    }

    private static SvidSigningResult failure(String entryId, Status.Code code, String message) {
        return SvidSigningResult.newBuilder().setEntryId(entryId).setErrorCode(code.name()).setErrorMessage(message).build();
    }
}
