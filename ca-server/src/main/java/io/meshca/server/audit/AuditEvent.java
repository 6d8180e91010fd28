package io.meshca.server.audit;

import java.util.Objects;

/**
 * Something to record: who did what to which subject. {@code detail} is free text for humans and must
 * never hold a secret (a token, a key); callers pass ids and serials only.
 */
public record AuditEvent(String actor, String action, String subject, String detail) {
    public AuditEvent {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(subject, "subject");
        detail = detail == null ? "" : detail;
    }
}
