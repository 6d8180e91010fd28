package io.meshca.server.testing;

import io.meshca.server.audit.AuditStore;
import io.meshca.server.audit.TimedAuditEvent;
import io.meshca.server.datastore.DataStoreException;
import io.meshca.server.model.AuditRecord;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a real audit store and fails its appends while {@link #failing} is set, as a full disk or a lost
 * database would. Counts the appends (transactions) that went through, to observe group commit.
 */
public final class FaultyAuditStore implements AuditStore {

    public static final String FAULT = "injected audit store failure";

    private final AuditStore delegate;
    private final AtomicInteger appends = new AtomicInteger();
    private volatile boolean failing;

    public FaultyAuditStore(AuditStore delegate) {
        this.delegate = delegate;
    }

    public void failing(boolean value) {
        this.failing = value;
    }

    /** Appends that reached the real store. */
    public int appends() {
        return appends.get();
    }

    @Override
    public Optional<AuditRecord> last() {
        return delegate.last();
    }

    @Override
    public List<AuditRecord> append(List<TimedAuditEvent> events) {
        if (failing) {
            throw new DataStoreException(FAULT, null);
        }
        List<AuditRecord> rows = delegate.append(events);
        appends.incrementAndGet();
        return rows;
    }

    @Override
    public List<AuditRecord> read(long afterSeq, int limit) {
        return delegate.read(afterSeq, limit);
    }
}
