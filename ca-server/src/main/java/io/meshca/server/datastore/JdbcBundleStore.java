package io.meshca.server.datastore;

import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Keys;
import io.meshca.server.ca.BundleStore;
import io.meshca.server.model.AuthorityStatus;
import io.meshca.server.model.Change;
import io.meshca.server.model.StoredAuthority;
import io.meshca.server.model.StoredJwtAuthority;
import io.meshca.server.model.UpstreamRoot;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

final class JdbcBundleStore implements BundleStore {

    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder UNB64 = Base64.getDecoder();

    private final Jdbc jdbc;

    JdbcBundleStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<StoredAuthority> authorities() {
        return jdbc.read(c -> {
            try (PreparedStatement s =
                            c.prepareStatement("SELECT key_id, certificate, upstream_chain, status, tainted, created_at"
                                    + " FROM x509_authorities ORDER BY created_at, key_id");
                    ResultSet r = s.executeQuery()) {
                List<StoredAuthority> out = new ArrayList<>();
                while (r.next()) {
                    out.add(new StoredAuthority(
                            r.getString(1),
                            Certificates.parse(UNB64.decode(r.getString(2))),
                            decodeChain(r.getString(3)),
                            AuthorityStatus.valueOf(r.getString(4)),
                            r.getBoolean(5),
                            Instant.ofEpochMilli(r.getLong(6))));
                }
                return out;
            }
        });
    }

    @Override
    public void add(StoredAuthority authority) {
        jdbc.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO x509_authorities"
                    + " (key_id, certificate, not_after, created_at, status, tainted, upstream_chain)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, authority.keyId());
                s.setString(2, B64.encodeToString(Certificates.der(authority.certificate())));
                s.setLong(3, authority.notAfter().toEpochMilli());
                s.setLong(4, authority.publishedAt().toEpochMilli());
                s.setString(5, authority.status().name());
                s.setBoolean(6, authority.tainted());
                s.setString(7, encodeChain(authority.upstreamChain()));
                s.executeUpdate();
            }
            jdbc.recordChange(c, Change.Kind.BUNDLE, "x509", null, Change.Op.UPSERT);
            return null;
        });
    }

    @Override
    public void update(List<StoredAuthority> changed) {
        jdbc.write(c -> {
            for (StoredAuthority a : changed) {
                updateSlot(c, "x509_authorities", a.keyId(), a.status(), a.tainted());
            }
            jdbc.recordChange(c, Change.Kind.BUNDLE, "x509", null, Change.Op.UPSERT);
            return null;
        });
    }

    @Override
    public void remove(String keyId) {
        delete("x509_authorities", "key_id", keyId, "x509");
    }

    @Override
    public List<StoredJwtAuthority> jwtAuthorities() {
        return jdbc.read(c -> {
            try (PreparedStatement s =
                            c.prepareStatement("SELECT key_id, kid, public_key, not_after, status, tainted, created_at"
                                    + " FROM jwt_authorities ORDER BY created_at, key_id");
                    ResultSet r = s.executeQuery()) {
                List<StoredJwtAuthority> out = new ArrayList<>();
                while (r.next()) {
                    out.add(new StoredJwtAuthority(
                            r.getString(1),
                            r.getString(2),
                            Keys.parsePublicKey(UNB64.decode(r.getString(3))),
                            Instant.ofEpochMilli(r.getLong(4)),
                            AuthorityStatus.valueOf(r.getString(5)),
                            r.getBoolean(6),
                            Instant.ofEpochMilli(r.getLong(7))));
                }
                return out;
            }
        });
    }

    @Override
    public void addJwtAuthority(StoredJwtAuthority authority) {
        jdbc.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO jwt_authorities"
                    + " (key_id, kid, public_key, not_after, created_at, status, tainted)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, authority.keyId());
                s.setString(2, authority.kid());
                s.setString(3, B64.encodeToString(authority.publicKey().getEncoded()));
                s.setLong(4, authority.notAfter().toEpochMilli());
                s.setLong(5, authority.publishedAt().toEpochMilli());
                s.setString(6, authority.status().name());
                s.setBoolean(7, authority.tainted());
                s.executeUpdate();
            }
            jdbc.recordChange(c, Change.Kind.BUNDLE, "jwt", null, Change.Op.UPSERT);
            return null;
        });
    }

    @Override
    public void updateJwtAuthorities(List<StoredJwtAuthority> changed) {
        jdbc.write(c -> {
            for (StoredJwtAuthority a : changed) {
                updateSlot(c, "jwt_authorities", a.keyId(), a.status(), a.tainted());
            }
            jdbc.recordChange(c, Change.Kind.BUNDLE, "jwt", null, Change.Op.UPSERT);
            return null;
        });
    }

    @Override
    public void removeJwtAuthority(String keyId) {
        delete("jwt_authorities", "key_id", keyId, "jwt");
    }

    @Override
    public List<UpstreamRoot> upstreamRoots() {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                            "SELECT certificate, tainted, revoked FROM upstream_roots ORDER BY created_at, subject_key_id");
                    ResultSet r = s.executeQuery()) {
                List<UpstreamRoot> out = new ArrayList<>();
                while (r.next()) {
                    out.add(new UpstreamRoot(
                            Certificates.parse(UNB64.decode(r.getString(1))), r.getBoolean(2), r.getBoolean(3)));
                }
                return out;
            }
        });
    }

    @Override
    public void putUpstreamRoot(UpstreamRoot root) {
        jdbc.write(c -> {
            int updated;
            try (PreparedStatement s =
                    c.prepareStatement("UPDATE upstream_roots SET tainted = ?, revoked = ? WHERE subject_key_id = ?")) {
                s.setBoolean(1, root.tainted());
                s.setBoolean(2, root.revoked());
                s.setString(3, root.subjectKeyId());
                updated = s.executeUpdate();
            }
            if (updated == 0) {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO upstream_roots"
                        + " (subject_key_id, certificate, not_after, tainted, revoked, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?)")) {
                    s.setString(1, root.subjectKeyId());
                    s.setString(2, B64.encodeToString(Certificates.der(root.certificate())));
                    s.setLong(3, root.certificate().getNotAfter().getTime());
                    s.setBoolean(4, root.tainted());
                    s.setBoolean(5, root.revoked());
                    s.setLong(6, jdbc.clock().millis());
                    s.executeUpdate();
                }
            }
            jdbc.recordChange(c, Change.Kind.BUNDLE, "upstream", null, Change.Op.UPSERT);
            return null;
        });
    }

    @Override
    public long sequence() {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT MAX(revision) FROM changes WHERE kind = 'BUNDLE'");
                    ResultSet r = s.executeQuery()) {
                return r.next() ? r.getLong(1) : 0L;
            }
        });
    }

    private static void updateSlot(Connection c, String table, String keyId, AuthorityStatus status, boolean tainted)
            throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("UPDATE " + table + " SET status = ?, tainted = ? WHERE key_id = ?")) {
            s.setString(1, status.name());
            s.setBoolean(2, tainted);
            s.setString(3, keyId);
            if (s.executeUpdate() != 1) {
                throw new IllegalStateException("no authority " + keyId + " in " + table);
            }
        }
    }

    private void delete(String table, String column, String id, String changeObject) {
        jdbc.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE " + column + " = ?")) {
                s.setString(1, id);
                s.executeUpdate();
            }
            jdbc.recordChange(c, Change.Kind.BUNDLE, changeObject, null, Change.Op.DELETE);
            return null;
        });
    }

    private static String encodeChain(List<X509Certificate> chain) {
        List<String> parts = new ArrayList<>(chain.size());
        for (X509Certificate cert : chain) {
            parts.add(B64.encodeToString(Certificates.der(cert)));
        }
        return String.join(",", parts);
    }

    private static List<X509Certificate> decodeChain(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            return List.of();
        }
        List<X509Certificate> out = new ArrayList<>();
        for (String part : encoded.split(",")) {
            out.add(Certificates.parse(UNB64.decode(part)));
        }
        return out;
    }
}
