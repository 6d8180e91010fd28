package io.meshca.server.datastore;

import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Keys;
import io.meshca.server.ca.BundleStore;
import io.meshca.server.model.Change;
import io.meshca.server.model.StoredAuthority;
import io.meshca.server.model.StoredJwtAuthority;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

final class JdbcBundleStore implements BundleStore {

    private final Jdbc jdbc;

    JdbcBundleStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<StoredAuthority> authorities() {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                            "SELECT key_id, certificate FROM x509_authorities ORDER BY created_at, key_id");
                    ResultSet r = s.executeQuery()) {
                List<StoredAuthority> out = new ArrayList<>();
                while (r.next()) {
                    out.add(new StoredAuthority(
                            r.getString(1),
                            Certificates.parse(Base64.getDecoder().decode(r.getString(2)))));
                }
                return out;
            }
        });
    }

    @Override
    public void add(StoredAuthority authority) {
        jdbc.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO x509_authorities (key_id, certificate, not_after, created_at) VALUES (?, ?, ?, ?)")) {
                s.setString(1, authority.keyId());
                s.setString(2, Base64.getEncoder().encodeToString(Certificates.der(authority.certificate())));
                s.setLong(3, authority.certificate().getNotAfter().getTime());
                s.setLong(4, jdbc.clock().millis());
                s.executeUpdate();
            }
            jdbc.recordChange(c, Change.Kind.BUNDLE, "x509", null, Change.Op.UPSERT);
            return null;
        });
    }

    @Override
    public List<StoredJwtAuthority> jwtAuthorities() {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                            "SELECT key_id, kid, public_key, not_after FROM jwt_authorities ORDER BY created_at, key_id");
                    ResultSet r = s.executeQuery()) {
                List<StoredJwtAuthority> out = new ArrayList<>();
                while (r.next()) {
                    out.add(new StoredJwtAuthority(
                            r.getString(1),
                            r.getString(2),
                            Keys.parsePublicKey(Base64.getDecoder().decode(r.getString(3))),
                            Instant.ofEpochMilli(r.getLong(4))));
                }
                return out;
            }
        });
    }

    @Override
    public void addJwtAuthority(StoredJwtAuthority authority) {
        jdbc.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO jwt_authorities (key_id, kid, public_key, not_after, created_at) VALUES (?, ?, ?, ?, ?)")) {
                s.setString(1, authority.keyId());
                s.setString(2, authority.kid());
                s.setString(
                        3,
                        Base64.getEncoder().encodeToString(authority.publicKey().getEncoded()));
                s.setLong(4, authority.notAfter().toEpochMilli());
                s.setLong(5, jdbc.clock().millis());
                s.executeUpdate();
            }
            jdbc.recordChange(c, Change.Kind.BUNDLE, "jwt", null, Change.Op.UPSERT);
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
}
