package io.meshca.server.api.admin;

import io.grpc.stub.StreamObserver;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.MintJwtSvidRequest;
import io.meshca.proto.server.v1.MintJwtSvidResponse;
import io.meshca.proto.server.v1.SvidsGrpc;
import io.meshca.server.api.convert.SpiffeIdProtos;
import io.meshca.server.ca.jwt.JwtSvidIssuer;
import io.meshca.server.ca.jwt.MintedJwtSvid;
import java.time.Duration;

/** Admin: JWT-SVIDs minted for an operator ({@code server jwt mint}); only for this trust domain. */
public final class SvidsService extends SvidsGrpc.SvidsImplBase {

    private final JwtSvidIssuer issuer;
    private final TrustDomain trustDomain;

    public SvidsService(JwtSvidIssuer issuer, TrustDomain trustDomain) {
        this.issuer = issuer;
        this.trustDomain = trustDomain;
    }

    @Override
    public void mintJwtSvid(MintJwtSvidRequest request, StreamObserver<MintJwtSvidResponse> out) {
        SpiffeId id = SpiffeIdProtos.fromProto("spiffe_id", request.getSpiffeId());
        if (!id.memberOf(trustDomain)) {
            throw new InvalidArgumentException("spiffe_id " + id + " is not in trust domain " + trustDomain);
        }
        if (request.getTtlSeconds() < 0) {
            throw new InvalidArgumentException("ttl cannot be negative, got " + request.getTtlSeconds());
        }
        MintedJwtSvid svid = issuer.issueForOperator(
                id, request.getAudienceList(), Duration.ofSeconds(request.getTtlSeconds()), "admin:local");
        out.onNext(MintJwtSvidResponse.newBuilder()
                .setToken(svid.token())
                .setExpiresAt(svid.expiresAt().getEpochSecond())
                .build());
        out.onCompleted();
    }
}
