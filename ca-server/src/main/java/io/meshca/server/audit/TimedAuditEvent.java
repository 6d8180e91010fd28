package io.meshca.server.audit;

import java.util.Objects;

/** An audit event and the time it happened, waiting to be chained and stored. */
public record TimedAuditEvent(AuditEvent event, long atMillis) {
    public TimedAuditEvent {
        Objects.requireNonNull(event, "event");
    }
}
