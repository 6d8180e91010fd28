package io.meshca.server.api.convert;

import com.google.protobuf.ByteString;
import io.meshca.common.pki.Certificates;
import io.meshca.proto.server.v1.AuthorityState;
import io.meshca.proto.server.v1.LocalAuthorityState;
import io.meshca.server.model.AuthorityStatus;
import io.meshca.server.model.LocalX509Authority;
import io.meshca.server.model.StoredAuthority;
import io.meshca.server.model.StoredJwtAuthority;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Local authorities (X.509 CAs, JWT keys) in their slots, as the admin API shows them. */
public final class AuthorityProtos {

    private AuthorityProtos() {}

    public static AuthorityState toProto(StoredAuthority a) {
        return AuthorityState.newBuilder()
                .setAuthorityId(a.authorityId())
                .setStatus(status(a.status()))
                .setExpiresAt(a.notAfter().getEpochSecond())
                .setUpstreamAuthoritySubjectKeyId(a.upstreamAuthorityId().orElse(""))
                .setTainted(a.tainted())
                .setCertificate(ByteString.copyFrom(Certificates.der(a.certificate())))
                .build();
    }

    public static AuthorityState toProto(StoredJwtAuthority a) {
        return AuthorityState.newBuilder()
                .setAuthorityId(a.kid())
                .setStatus(status(a.status()))
                .setExpiresAt(a.notAfter().getEpochSecond())
                .setTainted(a.tainted())
                .setCertificate(ByteString.copyFrom(a.publicKey().getEncoded()))
                .build();
    }

    public static LocalAuthorityState x509State(List<StoredAuthority> authorities) {
        LocalAuthorityState.Builder b = LocalAuthorityState.newBuilder();
        authorities.forEach(a -> b.addAuthorities(toProto(a)));
        return b.build();
    }

    public static LocalAuthorityState jwtState(List<StoredJwtAuthority> authorities) {
        LocalAuthorityState.Builder b = LocalAuthorityState.newBuilder();
        authorities.forEach(a -> b.addAuthorities(toProto(a)));
        return b.build();
    }

    /** An X.509 CA as an admin client reads it back. */
    public static LocalX509Authority x509FromProto(AuthorityState proto) {
        return new LocalX509Authority(
                proto.getAuthorityId(),
                status(proto.getStatus()),
                Instant.ofEpochSecond(proto.getExpiresAt()),
                Optional.of(proto.getUpstreamAuthoritySubjectKeyId()).filter(id -> !id.isEmpty()),
                proto.getTainted(),
                Certificates.parse(proto.getCertificate().toByteArray()));
    }

    private static AuthorityStatus status(AuthorityState.Status status) {
        return switch (status) {
            case PREPARED -> AuthorityStatus.PREPARED;
            case ACTIVE -> AuthorityStatus.ACTIVE;
            case OLD -> AuthorityStatus.OLD;
            case STATUS_UNSPECIFIED, UNRECOGNIZED ->
                throw new IllegalArgumentException("an authority without a known status: " + status);
        };
    }

    private static AuthorityState.Status status(AuthorityStatus status) {
        return switch (status) {
            case PREPARED -> AuthorityState.Status.PREPARED;
            case ACTIVE -> AuthorityState.Status.ACTIVE;
            case OLD -> AuthorityState.Status.OLD;
        };
    }
}
