package io.meshca.server.model;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A registration entry as stored: which SPIFFE ID is issued to workloads (or nodes) that run under
 * {@code parentId} and carry all of {@code selectors}. A zero TTL means the server default; a null
 * {@code expiresAt} means never.
 */
public record RegistrationEntry(
        String id,
        SpiffeId spiffeId,
        SpiffeId parentId,
        SelectorSet selectors,
        Duration x509SvidTtl,
        Duration jwtSvidTtl,
        List<String> dnsNames,
        List<String> federatesWith,
        String hint,
        boolean admin,
        boolean downstream,
        Instant expiresAt,
        long revision,
        Instant createdAt) {

    public RegistrationEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(parentId, "parentId");
        Objects.requireNonNull(selectors, "selectors");
        Objects.requireNonNull(x509SvidTtl, "x509SvidTtl");
        Objects.requireNonNull(jwtSvidTtl, "jwtSvidTtl");
        dnsNames = List.copyOf(dnsNames);
        federatesWith = List.copyOf(federatesWith);
        hint = hint == null ? "" : hint;
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public Optional<Instant> expiry() {
        return Optional.ofNullable(expiresAt);
    }

    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    public RegistrationEntry withIdentity(String newId, long newRevision, Instant newCreatedAt) {
        return new RegistrationEntry(
                newId,
                spiffeId,
                parentId,
                selectors,
                x509SvidTtl,
                jwtSvidTtl,
                dnsNames,
                federatesWith,
                hint,
                admin,
                downstream,
                expiresAt,
                newRevision,
                newCreatedAt);
    }

    /** A new entry to create (id and revision are assigned by the store). */
    public static RegistrationEntry draft(SpiffeId spiffeId, SpiffeId parentId, SelectorSet selectors) {
        return new RegistrationEntry(
                "",
                spiffeId,
                parentId,
                selectors,
                Duration.ZERO,
                Duration.ZERO,
                List.of(),
                List.of(),
                "",
                false,
                false,
                null,
                0,
                Instant.EPOCH);
    }

    public RegistrationEntry withX509SvidTtl(Duration ttl) {
        return new RegistrationEntry(
                id,
                spiffeId,
                parentId,
                selectors,
                ttl,
                jwtSvidTtl,
                dnsNames,
                federatesWith,
                hint,
                admin,
                downstream,
                expiresAt,
                revision,
                createdAt);
    }

    public RegistrationEntry withDnsNames(List<String> names) {
        return new RegistrationEntry(
                id,
                spiffeId,
                parentId,
                selectors,
                x509SvidTtl,
                jwtSvidTtl,
                names,
                federatesWith,
                hint,
                admin,
                downstream,
                expiresAt,
                revision,
                createdAt);
    }

    /** The entry with the trust domains (names or {@code spiffe://} IDs) whose bundles its SVIDs come with. */
    public RegistrationEntry withFederatesWith(List<String> trustDomains) {
        return new RegistrationEntry(
                id,
                spiffeId,
                parentId,
                selectors,
                x509SvidTtl,
                jwtSvidTtl,
                dnsNames,
                trustDomains,
                hint,
                admin,
                downstream,
                expiresAt,
                revision,
                createdAt);
    }

    /** The entry with the hint that tells its identity apart from the workload's others. */
    public RegistrationEntry withHint(String newHint) {
        return new RegistrationEntry(
                id,
                spiffeId,
                parentId,
                selectors,
                x509SvidTtl,
                jwtSvidTtl,
                dnsNames,
                federatesWith,
                newHint,
                admin,
                downstream,
                expiresAt,
                revision,
                createdAt);
    }
}
