package io.meshca.server.audit;

import io.meshca.server.model.AuditRecord;
import java.util.List;
import java.util.Optional;

/** The append-only audit table. There is deliberately no update or delete. */
public interface AuditStore {

    /** The row with the highest sequence number, to continue the hash chain after a restart. */
    Optional<AuditRecord> last();

    /** Appends rows (already chained by the caller) in one transaction. */
    void append(List<AuditRecord> records);

    /** Rows with seq greater than {@code afterSeq}, in order, at most {@code limit}. */
    List<AuditRecord> read(long afterSeq, int limit);
}
