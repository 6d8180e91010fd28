package io.meshca.server.api.admin;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.MintJwtSvidRequest;
import io.meshca.proto.server.v1.MintJwtSvidResponse;
import io.meshca.proto.server.v1.MintX509SvidRequest;
import io.meshca.proto.server.v1.MintX509SvidResponse;
import io.meshca.proto.server.v1.SvidsGrpc;
import io.meshca.proto.server.v1.X509Svid;
import io.meshca.server.api.convert.SpiffeIdProtos;
import io.meshca.server.ca.CaManager;
import io.meshca.server.ca.SvidIssuer;
import io.meshca.server.ca.jwt.JwtSvidIssuer;
import io.meshca.server.ca.jwt.MintedJwtSvid;
import io.meshca.server.registration.EntryValidator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Admin: SVIDs minted for an operator ({@code server jwt mint}, {@code server x509 mint}); only for this
 * trust domain, audited like any issuance.
 */
public final class SvidsService extends SvidsGrpc.SvidsImplBase {

    private final JwtSvidIssuer issuer;
    private final SvidIssuer x509Issuer;
    private final CaManager ca;
    private final TrustDomain trustDomain;

    public SvidsService(JwtSvidIssuer issuer, SvidIssuer x509Issuer, CaManager ca, TrustDomain trustDomain) {
        this.issuer = issuer;
        this.x509Issuer = x509Issuer;
        this.ca = ca;
        this.trustDomain = trustDomain;
    }

    @Override
    public void mintX509Svid(MintX509SvidRequest request, StreamObserver<MintX509SvidResponse> out) {
        SpiffeId id = memberId(request.getSpiffeId());
        if (request.getTtlSeconds() < 0) {
            throw new InvalidArgumentException("ttl cannot be negative, got " + request.getTtlSeconds());
        }
        for (String dns : request.getDnsNamesList()) {
            if (!EntryValidator.isValidDnsName(dns)) {
                throw new InvalidArgumentException("invalid DNS name \"" + dns + "\"");
            }
        }
        List<X509Certificate> chain = x509Issuer.issueForOperator(
                id,
                request.getCsr().toByteArray(),
                Duration.ofSeconds(request.getTtlSeconds()),
                request.getDnsNamesList(),
                "admin:local");
        X509Svid.Builder svid = X509Svid.newBuilder()
                .setSpiffeId(id.toString())
                .setExpiresAt(chain.get(0).getNotAfter().toInstant().getEpochSecond());
        chain.forEach(c -> svid.addCertChain(ByteString.copyFrom(Certificates.der(c))));
        MintX509SvidResponse.Builder response =
                MintX509SvidResponse.newBuilder().setSvid(svid);
        ca.x509Authorities().forEach(c -> response.addX509Authorities(ByteString.copyFrom(Certificates.der(c))));
        out.onNext(response.build());
        out.onCompleted();
    }

    private SpiffeId memberId(String raw) {
        SpiffeId id = SpiffeIdProtos.fromProto("spiffe_id", raw);
        if (!id.memberOf(trustDomain)) {
            throw new InvalidArgumentException("spiffe_id " + id + " is not in trust domain " + trustDomain);
        }
        return id;
    }

    @Override
    public void mintJwtSvid(MintJwtSvidRequest request, StreamObserver<MintJwtSvidResponse> out) {
        SpiffeId id = memberId(request.getSpiffeId());
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
