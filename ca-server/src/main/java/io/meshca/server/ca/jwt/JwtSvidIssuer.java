package io.meshca.server.ca.jwt;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.audit.AuditEvent;
import io.meshca.server.audit.AuditLog;
import io.meshca.server.model.RegistrationEntry;
import java.time.Duration;
import java.util.List;

/**
 * Issues JWT-SVIDs: the identity and the TTL come from the entry (its jwtSvidTtl, else the server
 * default), never from the request; every issuance is audited with the key id and expiry, never the
 * token. With {@code auditWrites: sync} a token is returned only once its row is committed; if it cannot
 * be, {@link io.meshca.server.audit.AuditWriteException} is thrown and the token is dropped.
 */
public final class JwtSvidIssuer {

    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

    private final JwtSvidMinter minter;
    private final AuditLog audit;
    private final Duration defaultTtl;

    public JwtSvidIssuer(JwtSvidMinter minter, AuditLog audit, Duration defaultTtl) {
        this.minter = minter;
        this.audit = audit;
        this.defaultTtl = defaultTtl;
    }

    /** A token for the workload of {@code entry}, requested by the agent {@code requestedBy}. */
    public MintedJwtSvid issueForEntry(RegistrationEntry entry, List<String> audience, SpiffeId requestedBy) {
        Duration ttl = entry.jwtSvidTtl().isZero() ? defaultTtl : entry.jwtSvidTtl();
        MintedJwtSvid svid = minter.mint(entry.spiffeId(), audience, ttl);
        record(requestedBy.toString(), svid, audience, "entry=" + entry.id() + " ");
        return svid;
    }

    /** A token minted on an operator's request ({@code server jwt mint}); zero TTL means the default. */
    public MintedJwtSvid issueForOperator(SpiffeId subject, List<String> audience, Duration ttl, String actor) {
        MintedJwtSvid svid = minter.mint(subject, audience, ttl.isZero() ? defaultTtl : ttl);
        record(actor, svid, audience, "");
        return svid;
    }

    private void record(String actor, MintedJwtSvid svid, List<String> audience, String prefix) {
        audit.record(new AuditEvent(
                actor,
                "jwtsvid.issue",
                svid.spiffeId().toString(),
                prefix + "kid=" + svid.kid() + " aud=" + AuditEvent.list(audience) + " exp="
                        + svid.expiresAt().getEpochSecond()));
    }
}
