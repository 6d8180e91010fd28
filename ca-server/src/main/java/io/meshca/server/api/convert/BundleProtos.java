package io.meshca.server.api.convert;

import com.google.protobuf.ByteString;
import io.meshca.common.bundle.InvalidBundleException;
import io.meshca.common.bundle.JwtAuthority;
import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.bundle.SpiffeBundleCodec;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.Bundle;
import io.meshca.proto.server.v1.JwtKey;
import io.meshca.server.ca.CaManager;
import io.meshca.server.model.StoredJwtAuthority;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@link SpiffeBundle} (and the server's own bundle) ⇄ the {@code Bundle} message. */
public final class BundleProtos {

    private BundleProtos() {}

    public static Bundle toProto(SpiffeBundle bundle) {
        Bundle.Builder b = Bundle.newBuilder()
                .setTrustDomain(bundle.trustDomain().name())
                .setSequence(bundle.sequence())
                .setRefreshHintSeconds(bundle.refreshHint().toSeconds());
        for (X509Certificate cert : bundle.x509Authorities()) {
            b.addX509Authorities(ByteString.copyFrom(Certificates.der(cert)));
        }
        for (JwtAuthority key : bundle.jwtAuthorities()) {
            b.addJwtAuthorities(JwtKey.newBuilder()
                    .setKeyId(key.keyId())
                    .setPublicKey(ByteString.copyFrom(key.publicKey().getEncoded())));
        }
        return b.build();
    }

    /** The server's own bundle: X.509 authorities and JWT signing keys (with their expiry). */
    public static Bundle toProto(CaManager ca) {
        TrustDomain domain = ca.trustDomain();
        List<X509Certificate> authorities = ca.x509Authorities();
        long sequence = ca.bundleSequence();
        Bundle.Builder b = Bundle.newBuilder()
                .setTrustDomain(domain.name())
                .setSequence(sequence)
                .setRefreshHintSeconds(300);
        for (X509Certificate c : authorities) {
            b.addX509Authorities(ByteString.copyFrom(Certificates.der(c)));
        }
        for (StoredJwtAuthority k : ca.jwtAuthorities()) {
            b.addJwtAuthorities(JwtKey.newBuilder()
                    .setKeyId(k.kid())
                    .setPublicKey(ByteString.copyFrom(k.publicKey().getEncoded()))
                    .setExpiresAt(k.notAfter().getEpochSecond()));
        }
        b.addAllTaintedX509AuthorityIds(ca.taintedX509AuthorityIds());
        b.addAllTaintedJwtKeyIds(ca.taintedJwtKeyIds());
        return b.build();
    }

    /** The X.509 authorities, parsed (no checks beyond DER: for display). */
    public static List<X509Certificate> certificates(Bundle proto) {
        return proto.getX509AuthoritiesList().stream()
                .map(der -> Certificates.parse(der.toByteArray()))
                .toList();
    }

    public static List<JwtAuthority> jwtAuthorities(Bundle proto) {
        return proto.getJwtAuthoritiesList().stream()
                .map(k -> new JwtAuthority(
                        k.getKeyId(), Keys.parsePublicKey(k.getPublicKey().toByteArray())))
                .toList();
    }

    /**
     * A bundle from a request, held to the same rules as a SPIFFE document: it is rendered and parsed
     * back by the strict codec, so there is one gate for both ways a bundle arrives.
     *
     * @throws io.meshca.common.error.InvalidArgumentException naming the problem
     */
    public static SpiffeBundle fromProto(Bundle proto) {
        if (proto.getTrustDomain().isEmpty()) {
            throw new InvalidBundleException("bundle has no trust domain");
        }
        TrustDomain td;
        try {
            td = TrustDomain.parse(proto.getTrustDomain());
        } catch (RuntimeException e) {
            throw new InvalidBundleException("bundle trust domain is invalid: " + e.getMessage(), e);
        }
        List<X509Certificate> certs = new ArrayList<>();
        for (ByteString der : proto.getX509AuthoritiesList()) {
            try {
                certs.add(Certificates.parse(der.toByteArray()));
            } catch (RuntimeException e) {
                throw new InvalidBundleException("an X.509 authority is not a DER certificate", e);
            }
        }
        List<JwtAuthority> keys = new ArrayList<>();
        for (JwtKey key : proto.getJwtAuthoritiesList()) {
            try {
                keys.add(new JwtAuthority(
                        key.getKeyId(), Keys.parsePublicKey(key.getPublicKey().toByteArray())));
            } catch (RuntimeException e) {
                throw new InvalidBundleException(
                        "JWT authority \"" + key.getKeyId() + "\" is not a valid public key", e);
            }
        }
        if (proto.getSequence() < 0 || proto.getRefreshHintSeconds() < 0) {
            throw new InvalidBundleException("bundle sequence and refresh hint must not be negative");
        }
        SpiffeBundle bundle;
        try {
            bundle = new SpiffeBundle(
                    td, certs, keys, proto.getSequence(), Duration.ofSeconds(proto.getRefreshHintSeconds()));
            return SpiffeBundleCodec.parse(td, SpiffeBundleCodec.toJson(bundle));
        } catch (IllegalArgumentException e) {
            throw new InvalidBundleException(e.getMessage(), e);
        }
    }
}
