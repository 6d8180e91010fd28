package io.meshca.server.api.convert;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.server.v1.Entry;
import io.meshca.server.model.RegistrationEntry;
import java.time.Duration;
import java.time.Instant;

/** {@link RegistrationEntry} ⇄ the {@code Entry} message. Parsing failures name the field. */
public final class EntryProtos {

    private EntryProtos() {}

    public static Entry toProto(RegistrationEntry e) {
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
        for (Selector s : e.selectors()) {
            b.addSelectors(SelectorProtos.toProto(s));
        }
        return b.build();
    }

    /** An entry from the admin API; {@code id} is kept (empty on create), revision/createdAt ignored. */
    public static RegistrationEntry fromProto(Entry p) {
        SpiffeId spiffeId = SpiffeIdProtos.fromProto("spiffe_id", p.getSpiffeId());
        SpiffeId parentId = SpiffeIdProtos.fromProto("parent_id", p.getParentId());
        if (p.getX509SvidTtl() < 0) {
            throw new InvalidArgumentException("x509_svid_ttl cannot be negative, got " + p.getX509SvidTtl());
        }
        if (p.getJwtSvidTtl() < 0) {
            throw new InvalidArgumentException("jwt_svid_ttl cannot be negative, got " + p.getJwtSvidTtl());
        }
        return new RegistrationEntry(
                p.getId(),
                spiffeId,
                parentId,
                SelectorProtos.fromProto(p.getSelectorsList()),
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
}
