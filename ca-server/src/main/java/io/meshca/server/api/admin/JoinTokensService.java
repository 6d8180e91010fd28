package io.meshca.server.api.admin;

import io.grpc.stub.StreamObserver;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.server.v1.GenerateJoinTokenRequest;
import io.meshca.proto.server.v1.JoinToken;
import io.meshca.proto.server.v1.JoinTokensGrpc;
import io.meshca.server.api.convert.SpiffeIdProtos;
import io.meshca.server.attestation.node.JoinTokenIssuer;
import java.time.Duration;
import java.util.Optional;

/** Admin: join tokens (optionally with a node alias). */
public final class JoinTokensService extends JoinTokensGrpc.JoinTokensImplBase {

    private final JoinTokenIssuer issuer;

    public JoinTokensService(JoinTokenIssuer issuer) {
        this.issuer = issuer;
    }

    @Override
    public void generateJoinToken(GenerateJoinTokenRequest request, StreamObserver<JoinToken> out) {
        if (request.getTtlSeconds() < 0) {
            throw new InvalidArgumentException("ttl cannot be negative, got " + request.getTtlSeconds());
        }
        Optional<Duration> ttl = request.getTtlSeconds() == 0
                ? Optional.empty()
                : Optional.of(Duration.ofSeconds(request.getTtlSeconds()));
        var alias = request.getSpiffeId().isEmpty()
                ? Optional.<SpiffeId>empty()
                : Optional.of(SpiffeIdProtos.fromProto("spiffe_id", request.getSpiffeId()));
        var token = issuer.generate(ttl, alias);
        out.onNext(JoinToken.newBuilder()
                .setToken(token.token())
                .setId(token.id())
                .setExpiresAt(token.expiresAt().getEpochSecond())
                .build());
        out.onCompleted();
    }
}
