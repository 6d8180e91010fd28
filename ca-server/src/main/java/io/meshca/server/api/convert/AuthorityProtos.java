package io.meshca.server.api.convert;

import com.google.protobuf.ByteString;
import io.meshca.common.pki.Certificates;
import io.meshca.proto.server.v1.AuthorityState;
import io.meshca.proto.server.v1.LocalAuthorityState;
import io.meshca.server.model.AuthorityStatus;
import io.meshca.server.model.StoredAuthority;
import io.meshca.server.model.StoredJwtAuthority;
import java.util.List;

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

    private static AuthorityState.Status status(AuthorityStatus status) {
        return switch (status) {
            case PREPARED -> AuthorityState.Status.PREPARED;
            case ACTIVE -> AuthorityState.Status.ACTIVE;
            case OLD -> AuthorityState.Status.OLD;
        };
    }
}
