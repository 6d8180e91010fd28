package io.meshca.server.datastore;

import io.meshca.server.audit.AuditChain;
import io.meshca.server.audit.AuditStore;
import io.meshca.server.audit.TimedAuditEvent;
import io.meshca.server.model.AuditRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

final class JdbcAuditStore implements AuditStore {

    private static final String COLUMNS = "seq, at, actor, action, subject, detail, prev_hash, hash";

    private final Jdbc jdbc;

    JdbcAuditStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<AuditRecord> last() {
        return jdbc.read(JdbcAuditStore::last);
    }

    private static Optional<AuditRecord> last(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                        "SELECT " + COLUMNS + " FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)");
                ResultSet r = s.executeQuery()) {
            return r.next() ? Optional.of(row(r)) : Optional.empty();
        }
    }

    @Override
    public List<AuditRecord> append(List<TimedAuditEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        return jdbc.write(c -> {
            // The "audit" counter row is the chain's head lock: updating it waits for any other writer's
            // transaction to end (PostgreSQL's row lock; SQLite's write lock), and the newest row is read
            // only after that, in a statement that sees what the other writer committed. Two replicas
            // therefore never chain from the same row.
            try (PreparedStatement lock =
                    c.prepareStatement("UPDATE counters SET value = value + ? WHERE name = 'audit'")) {
                lock.setLong(1, events.size());
                if (lock.executeUpdate() != 1) {
                    throw new SQLException("counter audit is missing");
                }
            }
            AuditRecord previous = last(c).orElse(null);
            List<AuditRecord> rows = new ArrayList<>(events.size());
            for (TimedAuditEvent e : events) {
                previous = AuditChain.next(previous, e.atMillis(), e.event());
                rows.add(previous);
            }
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO audit_log (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (AuditRecord a : rows) {
                    s.setLong(1, a.seq());
                    s.setLong(2, a.atMillis());
                    s.setString(3, a.actor());
                    s.setString(4, a.action());
                    s.setString(5, a.subject());
                    s.setString(6, a.detail());
                    s.setString(7, a.prevHash());
                    s.setString(8, a.hash());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return rows;
        });
    }

    @Override
    public List<AuditRecord> read(long afterSeq, int limit) {
        return jdbc.read(c -> {
            try (PreparedStatement s =
                    c.prepareStatement("SELECT " + COLUMNS + " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?")) {
                s.setLong(1, afterSeq);
                s.setInt(2, limit);
                List<AuditRecord> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(row(r));
                    }
                }
                return out;
            }
        });
    }

    private static AuditRecord row(ResultSet r) throws SQLException {
        return new AuditRecord(
                r.getLong("seq"),
                r.getLong("at"),
                r.getString("actor"),
                r.getString("action"),
                r.getString("subject"),
                r.getString("detail"),
                r.getString("prev_hash"),
                r.getString("hash"));
    }
}
