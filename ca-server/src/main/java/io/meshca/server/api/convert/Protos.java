package io.meshca.server.api.convert;

import com.google.protobuf.ByteString;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.AgentInfo;
import io.meshca.proto.server.v1.Bundle;
import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.Selector;
import io.meshca.proto.server.v1.X509Svid;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.model.RegistrationEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Conversions between domain values and meshca.server.v1 messages. Parsing failures name the field. */
public final class Protos {

    private Protos() {}

    public static Entry entry(RegistrationEntry e) {
        Entry.Builder b = Entry.newBuilder()
                .setId(e.id())
                .setSpiffeId(e.spiffeId().toString())
                .setParentId(e.parentId().toString())
                .setX509SvidTtl((int) e.x509SvidTtl().getSeconds())
                .setJwtSvidTtl((int) e.jwtSvidTtl().getSeconds())
                .addAllDnsNames(e.dnsNames())
                .addAllFederatesWith(e.federatesWith())
                .setHint(e.hint())
                .setAdmin(e.admin())
                .setDownstream(e.downstream())
                .setExpiresAt(e.expiresAt() == null ? 0 : e.expiresAt().getEpochSecond())
                .setRevision(e.revision())
                .setCreatedAt(e.createdAt().getEpochSecond());
        for (io.meshca.common.spiffe.Selector s : e.selectors()) {
            b.addSelectors(selector(s));
        }
        return b.build();
    }

    /** An entry from the admin API; {@code id} is kept (empty on create), revision/createdAt ignored. */
    public static RegistrationEntry entry(Entry p) {
        SpiffeId spiffeId = spiffeId("spiffe_id", p.getSpiffeId());
        SpiffeId parentId = spiffeId("parent_id", p.getParentId());
        if (p.getX509SvidTtl() < 0 || p.getJwtSvidTtl() < 0) {
            throw new InvalidArgumentException("TTLs cannot be negative");
        }
        return new RegistrationEntry(
                p.getId(),
                spiffeId,
                parentId,
                selectors(p.getSelectorsList()),
                Duration.ofSeconds(p.getX509SvidTtl()),
                Duration.ofSeconds(p.getJwtSvidTtl()),
                p.getDnsNamesList(),
                p.getFederatesWithList(),
                p.getHint(),
                p.getAdmin(),
                p.getDownstream(),
                p.getExpiresAt() == 0 ? null : Instant.ofEpochSecond(p.getExpiresAt()),
                0,
                Instant.EPOCH);
    }

    public static SpiffeId spiffeId(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidArgumentException(field + " is required");
        }
        try {
            return SpiffeId.parse(text);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException("invalid " + field + ": " + e.getMessage(), e);
        }
    }

    public static Selector selector(io.meshca.common.spiffe.Selector s) {
        return Selector.newBuilder().setType(s.type()).setValue(s.value()).build();
    }

    public static SelectorSet selectors(List<Selector> list) {
        List<io.meshca.common.spiffe.Selector> out = new ArrayList<>(list.size());
        for (Selector s : list) {
            out.add(new io.meshca.common.spiffe.Selector(s.getType(), s.getValue()));
        }
        return SelectorSet.of(out);
    }

    /** A freshly signed SVID, from its DER (the hot path: nothing is parsed or re-encoded). */
    public static X509Svid svid(SpiffeId id, io.meshca.server.ca.signing.SignedSvid svid) {
        X509Svid.Builder b = X509Svid.newBuilder()
                .setSpiffeId(id.toString())
                .setExpiresAt(svid.notAfter().getEpochSecond());
        // unsafeWrap: these arrays are never written after signing (the tail is shared, read-only, per authority)
        b.addCertChain(com.google.protobuf.UnsafeByteOperations.unsafeWrap(svid.leafDer()));
        for (byte[] der : svid.chainTailDer()) {
            b.addCertChain(com.google.protobuf.UnsafeByteOperations.unsafeWrap(der));
        }
        return b.build();
    }

    public static X509Svid svid(SpiffeId id, List<X509Certificate> chain) {
        X509Svid.Builder b = X509Svid.newBuilder()
                .setSpiffeId(id.toString())
                .setExpiresAt(chain.get(0).getNotAfter().toInstant().getEpochSecond());
        for (X509Certificate c : chain) {
            b.addCertChain(ByteString.copyFrom(Certificates.der(c)));
        }
        return b.build();
    }

    /** The server's own bundle: X.509 authorities and JWT signing keys. */
    public static Bundle bundle(io.meshca.server.ca.CaManager ca) {
        Bundle.Builder b = bundle(ca.trustDomain(), ca.x509Authorities(), ca.bundleSequence()).toBuilder();
        for (io.meshca.server.model.StoredJwtAuthority k : ca.jwtAuthorities()) {
            b.addJwtAuthorities(io.meshca.proto.server.v1.JwtKey.newBuilder()
                    .setKeyId(k.kid())
                    .setPublicKey(ByteString.copyFrom(k.publicKey().getEncoded()))
                    .setExpiresAt(k.notAfter().getEpochSecond()));
        }
        return b.build();
    }

    public static Bundle bundle(TrustDomain domain, List<X509Certificate> authorities, long sequence) {
        Bundle.Builder b = Bundle.newBuilder()
                .setTrustDomain(domain.name())
                .setSequence(sequence)
                .setRefreshHintSeconds(300);
        for (X509Certificate c : authorities) {
            b.addX509Authorities(ByteString.copyFrom(Certificates.der(c)));
        }
        return b.build();
    }

    public static AgentInfo agent(AgentRecord a) {
        AgentInfo.Builder b = AgentInfo.newBuilder()
                .setSpiffeId(a.spiffeId().toString())
                .setAttestationType(a.attestationType())
                .setX509SvidSerial(a.serial())
                .setX509SvidExpiresAt(a.svidExpiresAt().getEpochSecond())
                .setBanned(a.banned())
                .setCreatedAt(a.createdAt().getEpochSecond())
                .setLastSeenAt(a.lastSeenAt().getEpochSecond());
        for (io.meshca.common.spiffe.Selector s : a.selectors()) {
            b.addSelectors(selector(s));
        }
        return b.build();
    }
}
