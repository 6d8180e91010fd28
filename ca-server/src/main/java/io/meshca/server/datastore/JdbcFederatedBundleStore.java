package io.meshca.server.datastore;

import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.bundle.SpiffeBundleCodec;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.federation.FederatedBundleStore;
import io.meshca.server.model.Change;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Stores each bundle as its SPIFFE document: the one format every reader already knows. */
final class JdbcFederatedBundleStore implements FederatedBundleStore {

    private final Jdbc jdbc;

    JdbcFederatedBundleStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<SpiffeBundle> list() {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                            "SELECT trust_domain, document FROM federated_bundles ORDER BY trust_domain");
                    ResultSet r = s.executeQuery()) {
                List<SpiffeBundle> out = new ArrayList<>();
                while (r.next()) {
                    out.add(SpiffeBundleCodec.parse(new TrustDomain(r.getString(1)), r.getString(2)));
                }
                return out;
            }
        });
    }

    @Override
    public long count() {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM federated_bundles");
                    ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    @Override
    public Optional<SpiffeBundle> get(TrustDomain trustDomain) {
        return jdbc.read(c -> {
            try (PreparedStatement s =
                    c.prepareStatement("SELECT document FROM federated_bundles WHERE trust_domain = ?")) {
                s.setString(1, trustDomain.name());
                try (ResultSet r = s.executeQuery()) {
                    return r.next()
                            ? Optional.of(SpiffeBundleCodec.parse(trustDomain, r.getString(1)))
                            : Optional.empty();
                }
            }
        });
    }

    @Override
    public void put(SpiffeBundle bundle) {
        String document = SpiffeBundleCodec.toJson(bundle);
        jdbc.write(c -> {
            int updated;
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE federated_bundles SET document = ?, updated_at = ? WHERE trust_domain = ?")) {
                s.setString(1, document);
                s.setLong(2, jdbc.clock().millis());
                s.setString(3, bundle.trustDomain().name());
                updated = s.executeUpdate();
            }
            if (updated == 0) {
                try (PreparedStatement s = c.prepareStatement(
                        "INSERT INTO federated_bundles (trust_domain, document, updated_at) VALUES (?, ?, ?)")) {
                    s.setString(1, bundle.trustDomain().name());
                    s.setString(2, document);
                    s.setLong(3, jdbc.clock().millis());
                    s.executeUpdate();
                }
            }
            jdbc.recordChange(
                    c, Change.Kind.FEDERATED_BUNDLE, bundle.trustDomain().name(), null, Change.Op.UPSERT);
            return null;
        });
    }

    @Override
    public boolean delete(TrustDomain trustDomain) {
        return jdbc.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM federated_bundles WHERE trust_domain = ?")) {
                s.setString(1, trustDomain.name());
                if (s.executeUpdate() == 0) {
                    return false;
                }
            }
            jdbc.recordChange(c, Change.Kind.FEDERATED_BUNDLE, trustDomain.name(), null, Change.Op.DELETE);
            return true;
        });
    }
}
