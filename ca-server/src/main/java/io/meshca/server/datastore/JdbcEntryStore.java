package io.meshca.server.datastore;

import io.meshca.common.error.AlreadyExistsException;
import io.meshca.common.error.NotFoundException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.model.Change;
import io.meshca.server.model.EntryFilter;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.registration.EntryStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

final class JdbcEntryStore implements EntryStore {

    private static final String COLUMNS = "id, spiffe_id, parent_id, selectors, x509_svid_ttl, jwt_svid_ttl, dns_names,"
            + " federates_with, hint, admin, downstream, expires_at, revision, created_at";

    /** Ids per IN list: well under SQLite's 999 bound parameters. */
    private static final int IDS_PER_QUERY = 500;

    private final Jdbc jdbc;

    JdbcEntryStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public RegistrationEntry create(RegistrationEntry draft) {
        String key = identityKey(draft);
        try {
            return jdbc.write(c -> insert(c, draft, key));
        } catch (DataStoreException e) {
            throw raceLost(e, key, "");
        }
    }

    private RegistrationEntry insert(Connection c, RegistrationEntry draft, String key) throws SQLException {
        refuseDuplicate(c, key, "");
        String id = UUID.randomUUID().toString();
        long revision =
                jdbc.recordChange(c, Change.Kind.ENTRY, id, draft.parentId().toString(), Change.Op.UPSERT);
        RegistrationEntry entry = draft.withIdentity(
                id, revision, Instant.ofEpochSecond(jdbc.clock().instant().getEpochSecond()));
        try (PreparedStatement s = c.prepareStatement("INSERT INTO entries (" + COLUMNS
                + ", identity_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            bind(s, entry);
            s.setString(15, key);
            s.executeUpdate();
        }
        return entry;
    }

    private static String identityKey(RegistrationEntry entry) {
        return EntryIdentityKey.of(entry.parentId(), entry.spiffeId(), entry.selectors());
    }

    /**
     * The check that names the existing entry. It alone does not keep duplicates out: two transactions
     * may both pass it before either commits; the UNIQUE index then refuses the second ({@link #raceLost}).
     */
    private static void refuseDuplicate(Connection c, String key, String selfId) throws SQLException {
        Optional<String> existing = idWithKey(c, key, selfId);
        if (existing.isPresent()) {
            throw new AlreadyExistsException(EntryStore.DUPLICATE + existing.get());
        }
    }

    /**
     * A write that failed after another transaction committed an entry with the same key lost the race
     * to the UNIQUE index: say so as the check would have. Any other failure is rethrown as it is.
     */
    private RuntimeException raceLost(DataStoreException failure, String key, String selfId) {
        Optional<String> existing;
        try {
            existing = jdbc.read(c -> idWithKey(c, key, selfId));
        } catch (DataStoreException e) {
            failure.addSuppressed(e);
            return failure;
        }
        return existing.<RuntimeException>map(id -> new AlreadyExistsException(EntryStore.DUPLICATE + id, failure))
                .orElse(failure);
    }

    private static Optional<String> idWithKey(Connection c, String key, String selfId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM entries WHERE identity_key = ? AND id <> ?")) {
            s.setString(1, key);
            s.setString(2, selfId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        }
    }

    @Override
    public Optional<RegistrationEntry> get(String id) {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM entries WHERE id = ?")) {
                s.setString(1, id);
                List<RegistrationEntry> found = readAll(s);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
            }
        });
    }

    @Override
    public List<RegistrationEntry> getAll(Collection<String> ids) {
        List<String> all = List.copyOf(ids);
        List<RegistrationEntry> out = new ArrayList<>(all.size());
        for (int from = 0; from < all.size(); from += IDS_PER_QUERY) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + IDS_PER_QUERY));
            out.addAll(jdbc.read(c -> {
                String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement s =
                        c.prepareStatement("SELECT " + COLUMNS + " FROM entries WHERE id IN (" + marks + ")")) {
                    bindStrings(s, chunk);
                    return readAll(s);
                }
            }));
        }
        return out;
    }

    @Override
    public List<RegistrationEntry> list(EntryFilter filter, String afterId, int limit) {
        return jdbc.read(c -> {
            StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM entries WHERE id > ?");
            List<String> args = new ArrayList<>();
            args.add(afterId == null ? "" : afterId);
            appendColumnFilters(filter, sql, args);
            sql.append(" ORDER BY id");
            // Selector filtering happens here, not in SQL, so the page is filled from as many rows as needed;
            // without it the database stops at the page (the driver would otherwise fetch every later row).
            if (filter.sqlOnly()) {
                sql.append(" LIMIT ").append(limit);
            }
            List<RegistrationEntry> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    s.setString(i + 1, args.get(i));
                }
                try (ResultSet r = s.executeQuery()) {
                    while (r.next() && out.size() < limit) {
                        RegistrationEntry e = row(r);
                        if (filter.matches(e)) {
                            out.add(e);
                        }
                    }
                }
            }
            return out;
        });
    }

    @Override
    public long count(EntryFilter filter) {
        return jdbc.read(c -> {
            List<String> args = new ArrayList<>();
            StringBuilder where = new StringBuilder(" WHERE 1 = 1");
            appendColumnFilters(filter, where, args);
            if (filter.sqlOnly()) {
                try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM entries" + where)) {
                    bindStrings(s, args);
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                        return r.getLong(1);
                    }
                }
            }
            // Selectors and federated trust domains are encoded lists: matched here, row by row, without
            // building a list of the entries.
            long count = 0;
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM entries" + where)) {
                bindStrings(s, args);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        if (filter.matches(row(r))) {
                            count++;
                        }
                    }
                }
            }
            return count;
        });
    }

    /** The filters the database compares itself: SPIFFE ID, parent and hint. */
    private static void appendColumnFilters(EntryFilter filter, StringBuilder sql, List<String> args) {
        if (filter.spiffeId() != null) {
            sql.append(" AND spiffe_id = ?");
            args.add(filter.spiffeId().toString());
        }
        if (filter.parentId() != null) {
            sql.append(" AND parent_id = ?");
            args.add(filter.parentId().toString());
        }
        if (filter.hint() != null) {
            sql.append(" AND hint = ?");
            args.add(filter.hint());
        }
    }

    private static void bindStrings(PreparedStatement s, List<String> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            s.setString(i + 1, args.get(i));
        }
    }

    @Override
    public List<RegistrationEntry> listByParents(Collection<SpiffeId> parentIds) {
        if (parentIds.isEmpty()) {
            return List.of();
        }
        return jdbc.read(c -> {
            String marks = String.join(", ", Collections.nCopies(parentIds.size(), "?"));
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM entries WHERE parent_id IN (" + marks + ") ORDER BY id")) {
                int i = 1;
                for (SpiffeId parent : parentIds) {
                    s.setString(i++, parent.toString());
                }
                return readAll(s);
            }
        });
    }

    @Override
    public RegistrationEntry update(RegistrationEntry entry) {
        String key = identityKey(entry);
        try {
            return jdbc.write(c -> replace(c, entry, key));
        } catch (DataStoreException e) {
            throw raceLost(e, key, entry.id());
        }
    }

    private RegistrationEntry replace(Connection c, RegistrationEntry entry, String key) throws SQLException {
        Optional<RegistrationEntry> old = find(c, entry.id());
        if (old.isEmpty()) {
            throw new NotFoundException("no entry with id " + entry.id());
        }
        refuseDuplicate(c, key, entry.id());
        // A move to another parent is a delete for the old parent's agents: record both.
        if (!old.get().parentId().equals(entry.parentId())) {
            jdbc.recordChange(
                    c, Change.Kind.ENTRY, entry.id(), old.get().parentId().toString(), Change.Op.DELETE);
        }
        long revision = jdbc.recordChange(
                c, Change.Kind.ENTRY, entry.id(), entry.parentId().toString(), Change.Op.UPSERT);
        RegistrationEntry updated =
                entry.withIdentity(entry.id(), revision, old.get().createdAt());
        try (PreparedStatement s = c.prepareStatement("UPDATE entries SET spiffe_id = ?, parent_id = ?, selectors = ?,"
                + " x509_svid_ttl = ?, jwt_svid_ttl = ?, dns_names = ?, federates_with = ?, hint = ?, admin = ?,"
                + " downstream = ?, expires_at = ?, revision = ?, identity_key = ? WHERE id = ?")) {
            s.setString(1, updated.spiffeId().toString());
            s.setString(2, updated.parentId().toString());
            s.setString(3, Columns.selectors(updated.selectors()));
            s.setLong(4, updated.x509SvidTtl().getSeconds());
            s.setLong(5, updated.jwtSvidTtl().getSeconds());
            s.setString(6, Columns.strings(updated.dnsNames()));
            s.setString(7, Columns.strings(updated.federatesWith()));
            s.setString(8, updated.hint());
            s.setBoolean(9, updated.admin());
            s.setBoolean(10, updated.downstream());
            setNullableLong(
                    s,
                    11,
                    updated.expiresAt() == null ? null : updated.expiresAt().getEpochSecond());
            s.setLong(12, revision);
            s.setString(13, key);
            s.setString(14, updated.id());
            s.executeUpdate();
        }
        return updated;
    }

    @Override
    public boolean delete(String id) {
        return jdbc.write(c -> {
            Optional<RegistrationEntry> old = find(c, id);
            if (old.isEmpty()) {
                return false;
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM entries WHERE id = ?")) {
                s.setString(1, id);
                s.executeUpdate();
            }
            jdbc.recordChange(c, Change.Kind.ENTRY, id, old.get().parentId().toString(), Change.Op.DELETE);
            return true;
        });
    }

    private Optional<RegistrationEntry> find(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM entries WHERE id = ?")) {
            s.setString(1, id);
            List<RegistrationEntry> found = readAll(s);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    private static void bind(PreparedStatement s, RegistrationEntry e) throws SQLException {
        s.setString(1, e.id());
        s.setString(2, e.spiffeId().toString());
        s.setString(3, e.parentId().toString());
        s.setString(4, Columns.selectors(e.selectors()));
        s.setLong(5, e.x509SvidTtl().getSeconds());
        s.setLong(6, e.jwtSvidTtl().getSeconds());
        s.setString(7, Columns.strings(e.dnsNames()));
        s.setString(8, Columns.strings(e.federatesWith()));
        s.setString(9, e.hint());
        s.setBoolean(10, e.admin());
        s.setBoolean(11, e.downstream());
        setNullableLong(s, 12, e.expiresAt() == null ? null : e.expiresAt().getEpochSecond());
        s.setLong(13, e.revision());
        s.setLong(14, e.createdAt().getEpochSecond());
    }

    private static void setNullableLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }

    private static List<RegistrationEntry> readAll(PreparedStatement s) throws SQLException {
        List<RegistrationEntry> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                out.add(row(r));
            }
        }
        return out;
    }

    private static RegistrationEntry row(ResultSet r) throws SQLException {
        long expires = r.getLong("expires_at");
        Instant expiresAt = r.wasNull() ? null : Instant.ofEpochSecond(expires);
        return new RegistrationEntry(
                r.getString("id"),
                SpiffeId.parse(r.getString("spiffe_id")),
                SpiffeId.parse(r.getString("parent_id")),
                Columns.selectors(r.getString("selectors")),
                Duration.ofSeconds(r.getLong("x509_svid_ttl")),
                Duration.ofSeconds(r.getLong("jwt_svid_ttl")),
                Columns.strings(r.getString("dns_names")),
                Columns.strings(r.getString("federates_with")),
                r.getString("hint"),
                r.getBoolean("admin"),
                r.getBoolean("downstream"),
                expiresAt,
                r.getLong("revision"),
                Instant.ofEpochSecond(r.getLong("created_at")));
    }
}
