package io.meshca.server.datastore;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.model.Change;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schema version 5: entries get {@code identity_key} ({@link EntryIdentityKey}) under a UNIQUE index,
 * so that no two entries share parent ID, SPIFFE ID and selector set. A Java migration because the key
 * is a SHA-256 that SQLite's SQL cannot compute; the statements are portable to PostgreSQL.
 *
 * <p>Older servers accepted duplicates, so a database may hold some. Of each group of duplicates the
 * oldest entry (created first) is kept and the others are deleted, for three reasons: duplicates select
 * the same workloads and mint the same SVID, so deleting the later ones takes no identity away; the
 * oldest is the one agents have held longest and whose ID operators and scripts have most likely
 * recorded; and the later copies are typically a provisioning script run twice. Each deletion is
 * recorded in the change log, as any delete is, so agents that sync by delta drop the copy, and is
 * logged with both IDs so an operator can see what went (TTL, DNS names or hints of a deleted copy are
 * not merged into the kept one).
 */
final class V5__EntryIdentityKey extends BaseJavaMigration {

    private static final Logger log = LoggerFactory.getLogger(V5__EntryIdentityKey.class);

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE entries ADD COLUMN identity_key VARCHAR(64)");
        }
        Map<String, String> keptByKey = new LinkedHashMap<>();
        List<String[]> duplicates = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT id, spiffe_id, parent_id, selectors FROM entries"
                        + " ORDER BY created_at, revision, id")) {
            while (r.next()) {
                String id = r.getString("id");
                String key = EntryIdentityKey.of(
                        SpiffeId.parse(r.getString("parent_id")),
                        SpiffeId.parse(r.getString("spiffe_id")),
                        Columns.selectors(r.getString("selectors")));
                String kept = keptByKey.putIfAbsent(key, id);
                if (kept != null) {
                    duplicates.add(new String[] {id, kept, r.getString("parent_id")});
                }
            }
        }
        for (String[] duplicate : duplicates) {
            delete(c, duplicate[0], duplicate[2]);
            log.warn(
                    "deleted registration entry {}: same parent ID, SPIFFE ID and selectors as the older entry {},"
                            + " which is kept",
                    duplicate[0],
                    duplicate[1]);
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE entries SET identity_key = ? WHERE id = ?")) {
            for (Map.Entry<String, String> kept : keptByKey.entrySet()) {
                s.setString(1, kept.getKey());
                s.setString(2, kept.getValue());
                s.addBatch();
            }
            s.executeBatch();
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE UNIQUE INDEX entries_identity_key ON entries (identity_key)");
        }
    }

    private static void delete(Connection c, String id, String parentId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM entries WHERE id = ?")) {
            s.setString(1, id);
            s.executeUpdate();
        }
        long revision = Jdbc.nextCounter(c, "revision");
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO changes (revision, kind, object_id, parent_id, op, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setLong(1, revision);
            s.setString(2, Change.Kind.ENTRY.name());
            s.setString(3, id);
            s.setString(4, parentId);
            s.setString(5, Change.Op.DELETE.name());
            s.setLong(6, System.currentTimeMillis());
            s.executeUpdate();
        }
    }
}
