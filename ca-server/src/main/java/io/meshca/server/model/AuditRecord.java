package io.meshca.server.model;

import java.util.Objects;

/** One row of the hash-chained audit log: {@code hash} covers every other field including {@code prevHash}. */
public record AuditRecord(
        long seq,
        long atMillis,
        String actor,
        String action,
        String subject,
        String detail,
        String prevHash,
        String hash) {
    public AuditRecord {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(hash, "hash");
    }
}
