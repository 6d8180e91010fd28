package io.meshca.server.model;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import java.time.Instant;
import java.util.Objects;

/** An attested agent: its ID, how it attested, its current SVID and whether it is banned. */
public record AgentRecord(
        SpiffeId spiffeId,
        String attestationType,
        String serial,
        Instant svidExpiresAt,
        boolean banned,
        SelectorSet selectors,
        Instant createdAt,
        Instant lastSeenAt) {

    public AgentRecord {
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(attestationType, "attestationType");
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(svidExpiresAt, "svidExpiresAt");
        Objects.requireNonNull(selectors, "selectors");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(lastSeenAt, "lastSeenAt");
    }

    /** This agent after the renewal of its SVID. */
    public AgentRecord renewed(String newSerial, Instant newExpiry, Instant seenAt) {
        return new AgentRecord(spiffeId, attestationType, newSerial, newExpiry, banned, selectors, createdAt, seenAt);
    }
}
