package io.meshca.server.datastore;

import io.meshca.server.audit.AuditStore;
import io.meshca.server.model.AuditRecord;
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
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                            "SELECT " + COLUMNS + " FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)");
                    ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(row(r)) : Optional.empty();
            }
        });
    }

    @Override
    public void append(List<AuditRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        jdbc.write(c -> {
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO audit_log (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (AuditRecord a : records) {
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
            return null;
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
