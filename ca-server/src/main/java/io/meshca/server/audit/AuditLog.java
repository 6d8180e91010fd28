package io.meshca.server.audit;

/** Records issuances and admin actions. */
public interface AuditLog {

    /** Queues the event; it is durable once {@link #flush()} returns or the log is closed. */
    void record(AuditEvent event);

    /** Blocks until every event recorded so far is written. */
    void flush();
}
