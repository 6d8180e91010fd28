package io.meshca.server.audit;

import io.meshca.server.model.AuditRecord;
import java.util.List;
import java.util.Optional;

/** The append-only audit table. There is deliberately no update or delete. */
public interface AuditStore {

    /** The row with the highest sequence number. */
    Optional<AuditRecord> last();

    /**
     * Chains {@code events} after the newest stored row ({@link AuditChain#next}) and stores them, in one
     * transaction that holds the chain's head: writers in several processes (replicas on one database) take
     * turns and extend one chain, none of them from a head it remembered.
     *
     * @return the rows written, in order
     * @throws RuntimeException if the database fails ({@code DataStoreUnavailableException} if it is
     *     away, {@code DataStoreException} otherwise); nothing is stored
     */
    List<AuditRecord> append(List<TimedAuditEvent> events);

    /** Rows with seq greater than {@code afterSeq}, in order, at most {@code limit}. */
    List<AuditRecord> read(long afterSeq, int limit);
}
