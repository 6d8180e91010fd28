package io.meshca.server.api;

import io.grpc.Context;
import io.grpc.Status;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.server.v1.SvidSigningRequest;
import io.meshca.proto.server.v1.SvidSigningResult;
import io.meshca.server.api.admission.SigningAdmission;
import io.meshca.server.api.convert.SvidProtos;
import io.meshca.server.ca.SvidIssuer;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.registration.AgentAuthorizer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs a batch of CSRs for one agent: authorization is computed once per batch, then the items are
 * shared out to the signing pool (one thread per core): a few tasks per batch, each taking the next
 * unsigned item until none is left. Handing out whole items one task each cost a thread wake-up per
 * certificate; having the gRPC thread sign as well put more threads than cores on the CPU. No lock is
 * held while signing. One item's failure is that item's result only.
 *
 * <p>A batch is admitted whole through the {@link SigningAdmission} before anything else is done (a
 * refused one costs no database read) and holds its slots until its last item is done. Items not yet
 * started when the caller gives up (its deadline passed) are skipped: nobody would read them.
 */
public final class BatchSigner {

    private static final Logger log = LoggerFactory.getLogger(BatchSigner.class);

    private final AgentAuthorizer authorizer;
    private final SvidIssuer issuer;
    private final Executor signingPool;
    private final int parallelism;
    private final SigningAdmission admission;

    public BatchSigner(
            AgentAuthorizer authorizer,
            SvidIssuer issuer,
            Executor signingPool,
            int parallelism,
            SigningAdmission admission) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.authorizer = authorizer;
        this.issuer = issuer;
        this.signingPool = signingPool;
        this.parallelism = parallelism;
        this.admission = admission;
    }

    /**
     * @return one result per request, in order
     * @throws io.meshca.common.error.ResourceExhaustedException if the signing queue cannot take the
     *     whole batch now; nothing was signed
     */
    public List<SvidSigningResult> sign(AgentRecord agent, List<SvidSigningRequest> requests) {
        if (requests.isEmpty()) {
            return List.of();
        }
        try (SigningAdmission.Permit permit = admission.admit(requests.size())) {
            return signAdmitted(agent, requests);
        }
    }

    private List<SvidSigningResult> signAdmitted(AgentRecord agent, List<SvidSigningRequest> requests) {
        Map<String, RegistrationEntry> authorized =
                authorizer.authorizedEntriesById(agent.spiffeId(), agent.selectors(), entryIds(requests));
        int n = requests.size();
        SvidSigningResult[] results = new SvidSigningResult[n];
        AtomicInteger next = new AtomicInteger();
        Context call = Context.current();
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                results[i] = call.isCancelled()
                        ? failure(requests.get(i).getEntryId(), Status.Code.CANCELLED, "the call was cancelled")
                        : signOrRefuse(agent.spiffeId(), authorized, requests.get(i));
            }
        };
        if (n <= 1) {
            worker.run(); // nothing to share: no thread hop
        } else {
            CompletableFuture<?>[] tasks = new CompletableFuture<?>[Math.min(parallelism, n)];
            for (int t = 0; t < tasks.length; t++) {
                tasks[t] = CompletableFuture.runAsync(worker, signingPool);
            }
            CompletableFuture.allOf(tasks).join(); // join: the workers' writes to results are visible here
        }
        return List.of(results);
    }

    private static List<String> entryIds(List<SvidSigningRequest> requests) {
        return requests.stream().map(SvidSigningRequest::getEntryId).toList();
    }

    private SvidSigningResult signOrRefuse(
            SpiffeId agentId, Map<String, RegistrationEntry> authorized, SvidSigningRequest r) {
        RegistrationEntry entry = authorized.get(r.getEntryId());
        if (entry == null) {
            // Unknown and not-yours look the same: an agent learns nothing about other agents' entries.
            return failure(r.getEntryId(), Status.Code.PERMISSION_DENIED, "not authorized for entry " + r.getEntryId());
        }
        return signOne(agentId, entry, r);
    }

    private SvidSigningResult signOne(SpiffeId agentId, RegistrationEntry entry, SvidSigningRequest r) {
        try {
            var chain = issuer.issueWorkloadSvid(entry, r.getCsr().toByteArray(), agentId);
            return SvidSigningResult.newBuilder()
                    .setEntryId(entry.id())
                    .setSvid(SvidProtos.toProto(entry.spiffeId(), chain))
                    .build();
        } catch (MeshcaException e) {
            return failure(entry.id(), GrpcErrors.code(e.kind()), e.getMessage());
        } catch (RuntimeException e) {
            log.error("signing for entry {} failed", entry.id(), e);
            return failure(entry.id(), Status.Code.INTERNAL, GrpcErrors.INTERNAL_ERROR);
        }
    }

    private static SvidSigningResult failure(String entryId, Status.Code code, String message) {
        return SvidSigningResult.newBuilder()
                .setEntryId(entryId)
                .setErrorCode(code.name())
                .setErrorMessage(message)
                .build();
    }
}
