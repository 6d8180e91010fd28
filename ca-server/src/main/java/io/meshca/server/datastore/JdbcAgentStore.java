package io.meshca.server.datastore;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.agents.AgentStore;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.model.Change;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

final class JdbcAgentStore implements AgentStore {

    private static final String COLUMNS =
            "spiffe_id, attestation_type, serial, expires_at, banned, selectors, created_at, last_seen_at";

    private final Jdbc jdbc;

    JdbcAgentStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void upsert(AgentRecord a) {
        jdbc.write(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM agents WHERE spiffe_id = ?")) {
                del.setString(1, a.spiffeId().toString());
                del.executeUpdate();
            }
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO agents (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, a.spiffeId().toString());
                s.setString(2, a.attestationType());
                s.setString(3, a.serial());
                s.setLong(4, a.svidExpiresAt().getEpochSecond());
                s.setBoolean(5, a.banned());
                s.setString(6, Columns.selectors(a.selectors()));
                s.setLong(7, a.createdAt().getEpochSecond());
                s.setLong(8, a.lastSeenAt().getEpochSecond());
                s.executeUpdate();
            }
            jdbc.recordChange(c, Change.Kind.AGENT, a.spiffeId().toString(), null, Change.Op.UPSERT);
            return null;
        });
    }

    @Override
    public Optional<AgentRecord> get(SpiffeId id) {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM agents WHERE spiffe_id = ?")) {
                s.setString(1, id.toString());
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(row(r)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<AgentRecord> list(String afterId, int limit) {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM agents WHERE spiffe_id > ? ORDER BY spiffe_id LIMIT ?")) {
                s.setString(1, afterId == null ? "" : afterId);
                s.setInt(2, limit);
                List<AgentRecord> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(row(r));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public long count() {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM agents");
                    ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    @Override
    public List<AgentRecord> listExpiredBefore(Instant cutoff) {
        return jdbc.read(c -> {
            try (PreparedStatement s =
                    c.prepareStatement("SELECT " + COLUMNS + " FROM agents WHERE expires_at < ? ORDER BY spiffe_id")) {
                s.setLong(1, cutoff.getEpochSecond());
                List<AgentRecord> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(row(r));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public boolean updateSvid(SpiffeId id, String serial, Instant expiresAt, Instant seenAt) {
        return jdbc.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE agents SET serial = ?, expires_at = ?, last_seen_at = ? WHERE spiffe_id = ?")) {
                s.setString(1, serial);
                s.setLong(2, expiresAt.getEpochSecond());
                s.setLong(3, seenAt.getEpochSecond());
                s.setString(4, id.toString());
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean ban(SpiffeId id) {
        return jdbc.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE agents SET banned = ? WHERE spiffe_id = ?")) {
                s.setBoolean(1, true);
                s.setString(2, id.toString());
                if (s.executeUpdate() != 1) {
                    return false;
                }
            }
            jdbc.recordChange(c, Change.Kind.AGENT, id.toString(), null, Change.Op.UPSERT);
            return true;
        });
    }

    @Override
    public boolean delete(SpiffeId id) {
        return jdbc.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM agents WHERE spiffe_id = ?")) {
                s.setString(1, id.toString());
                if (s.executeUpdate() != 1) {
                    return false;
                }
            }
            jdbc.recordChange(c, Change.Kind.AGENT, id.toString(), null, Change.Op.DELETE);
            return true;
        });
    }

    private static AgentRecord row(ResultSet r) throws SQLException {
        return new AgentRecord(
                SpiffeId.parse(r.getString("spiffe_id")),
                r.getString("attestation_type"),
                r.getString("serial"),
                Instant.ofEpochSecond(r.getLong("expires_at")),
                r.getBoolean("banned"),
                Columns.selectors(r.getString("selectors")),
                Instant.ofEpochSecond(r.getLong("created_at")),
                Instant.ofEpochSecond(r.getLong("last_seen_at")));
    }
}
