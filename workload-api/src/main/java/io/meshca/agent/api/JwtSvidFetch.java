package io.meshca.agent.api;

import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.agent.jwt.JwtSvid;
import io.meshca.agent.jwt.JwtSvidCache;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.spiffe.JwtAudiences;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.workload.JWTSVID;
import io.meshca.proto.workload.JWTSVIDRequest;
import io.meshca.proto.workload.JWTSVIDResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FetchJWTSVID's rules: the audience is required and bounded ({@link JwtAudiences}); the caller gets one token per identity it holds
 * (the first is its default), or only the one it names in {@code spiffe_id} — which must be one of
 * its own. Which identities it holds comes from the cache snapshot of its selectors, so the
 * identity is the entry's, never the request's.
 */
final class JwtSvidFetch {

    static final String NO_AUDIENCE = JwtAudiences.MISSING;
    static final String STILL_ISSUING = "the caller's identities are still being issued; retry shortly";

    private JwtSvidFetch() {}

    static JWTSVIDResponse fetch(JWTSVIDRequest request, X509Snapshot snapshot, JwtSvidCache cache) {
        // The server's bounds, checked before a request that would fail there is sent (or cached).
        JwtAudiences.check(request.getAudienceList());
        if (snapshot.isAwaitingFirstSvid()) {
            throw new UnavailableException(STILL_ISSUING);
        }
        if (snapshot.isEmpty()) {
            throw new PermissionDeniedException(SnapshotStream.NO_IDENTITY);
        }
        Map<SpiffeId, IssuedSvid> identities = new LinkedHashMap<>();
        for (IssuedSvid svid : snapshot.svids()) {
            identities.putIfAbsent(svid.spiffeId(), svid);
        }
        if (!request.getSpiffeId().isEmpty()) {
            SpiffeId wanted;
            try {
                wanted = SpiffeId.parse(request.getSpiffeId());
            } catch (InvalidArgumentException e) {
                throw new InvalidArgumentException("invalid spiffe_id: " + e.getMessage(), e);
            }
            IssuedSvid svid = identities.get(wanted);
            if (svid == null) {
                throw new PermissionDeniedException(SnapshotStream.NO_IDENTITY + " for " + wanted);
            }
            identities = Map.of(wanted, svid);
        }
        JWTSVIDResponse.Builder response = JWTSVIDResponse.newBuilder();
        for (IssuedSvid identity : identities.values()) {
            JwtSvid token =
                    cache.fetch(identity.entryId(), identity.spiffeId(), identity.hint(), request.getAudienceList());
            response.addSvids(JWTSVID.newBuilder()
                    .setSpiffeId(token.spiffeId().toString())
                    .setSvid(token.token())
                    .setHint(token.hint()));
        }
        return response.build();
    }
}
