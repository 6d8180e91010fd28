package io.meshca.server.api;

import io.grpc.Status;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.error.MeshcaException;
import io.meshca.proto.server.v1.JwtSvidParams;
import io.meshca.proto.server.v1.JwtSvidResult;
import io.meshca.server.api.admission.SigningAdmission;
import io.meshca.server.ca.jwt.JwtSvidIssuer;
import io.meshca.server.ca.jwt.MintedJwtSvid;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.registration.AgentAuthorizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mints JWT-SVIDs for one agent, authorized like X.509 batches: only entries the agent serves, the
 * identity from the entry. One item's failure is that item's result only. Each token takes a slot of
 * the {@link SigningAdmission} while the batch is minted: a token is a signature like a certificate.
 */
public final class JwtSvidBatch {

    private static final Logger log = LoggerFactory.getLogger(JwtSvidBatch.class);

    private final AgentAuthorizer authorizer;
    private final JwtSvidIssuer issuer;
    private final SigningAdmission admission;

    public JwtSvidBatch(AgentAuthorizer authorizer, JwtSvidIssuer issuer, SigningAdmission admission) {
        this.authorizer = authorizer;
        this.issuer = issuer;
        this.admission = admission;
    }

    /**
     * @return one result per request, in order
     * @throws io.meshca.common.error.ResourceExhaustedException if the signing queue cannot take the
     *     whole batch now; nothing was minted
     */
    public List<JwtSvidResult> mint(AgentRecord agent, List<JwtSvidParams> params) {
        if (params.isEmpty()) {
            return List.of();
        }
        try (SigningAdmission.Permit permit = admission.admit(params.size())) {
            return mintAdmitted(agent, params);
        }
    }

    private List<JwtSvidResult> mintAdmitted(AgentRecord agent, List<JwtSvidParams> params) {
        Map<String, RegistrationEntry> authorized = authorizer.authorizedEntriesById(
                agent.spiffeId(),
                agent.selectors(),
                params.stream().map(JwtSvidParams::getEntryId).toList());
        List<JwtSvidResult> results = new ArrayList<>(params.size());
        for (JwtSvidParams p : params) {
            RegistrationEntry entry = authorized.get(p.getEntryId());
            if (entry == null) {
                results.add(failure(
                        p.getEntryId(), Status.Code.PERMISSION_DENIED, "not authorized for entry " + p.getEntryId()));
                continue;
            }
            try {
                MintedJwtSvid svid = issuer.issueForEntry(entry, p.getAudienceList(), agent.spiffeId());
                results.add(JwtSvidResult.newBuilder()
                        .setEntryId(entry.id())
                        .setToken(svid.token())
                        .setExpiresAt(svid.expiresAt().getEpochSecond())
                        .build());
            } catch (MeshcaException e) {
                results.add(failure(entry.id(), GrpcErrors.code(e.kind()), e.getMessage()));
            } catch (RuntimeException e) {
                log.error("minting a JWT-SVID for entry {} failed", entry.id(), e);
                results.add(failure(entry.id(), Status.Code.INTERNAL, GrpcErrors.INTERNAL_ERROR));
            }
        }
        return results;
    }

    private static JwtSvidResult failure(String entryId, Status.Code code, String message) {
        return JwtSvidResult.newBuilder()
                .setEntryId(entryId)
                .setErrorCode(code.name())
                .setErrorMessage(message)
                .build();
    }
}
