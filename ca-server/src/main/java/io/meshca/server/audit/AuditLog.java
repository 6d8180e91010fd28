package io.meshca.server.audit;

/**
 * Records issuances and admin actions. What {@link #record} promises depends on the server's
 * {@code auditWrites} setting (see {@link GroupCommitAuditLog.Mode}).
 */
public interface AuditLog {

    /**
     * Records the event.
     * <ul>
     *   <li>{@code async} (the default): queues the event and returns at once; it is durable once
     *       {@link #flush()} returns or the log is closed. A row the store does not take (the database is
     *       away) is kept in a spool file in the data dir and stored, in order, when the store is back;
     *       the caller never learns of it.</li>
     *   <li>{@code sync}: returns only once the row is committed to the store, so a caller that records
     *       before answering never answers unaudited.</li>
     * </ul>
     *
     * @throws AuditWriteException in {@code sync} mode, if the row could not be committed; the caller
     *     must then fail rather than hand out what the event records
     * @throws IllegalStateException if the log is closed
     */
    void record(AuditEvent event);

    /** Blocks until every event recorded so far is written. */
    void flush();
}
