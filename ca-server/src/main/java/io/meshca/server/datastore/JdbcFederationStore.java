package io.meshca.server.datastore;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.federation.FederationStore;
import io.meshca.server.model.Change;
import io.meshca.server.model.FederationRelationship;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

final class JdbcFederationStore implements FederationStore {

    private static final String COLUMNS =
            "trust_domain, bundle_endpoint_url, profile, endpoint_spiffe_id, trusted_ca_file";

    private final Jdbc jdbc;

    JdbcFederationStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<FederationRelationship> list() {
        return jdbc.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                            "SELECT " + COLUMNS + " FROM federation_relationships ORDER BY trust_domain");
                    ResultSet r = s.executeQuery()) {
                List<FederationRelationship> out = new ArrayList<>();
                while (r.next()) {
                    out.add(row(r));
                }
                return out;
            }
        });
    }

    @Override
    public Optional<FederationRelationship> get(TrustDomain trustDomain) {
        return jdbc.read(c -> {
            try (PreparedStatement s =
                    c.prepareStatement("SELECT " + COLUMNS + " FROM federation_relationships WHERE trust_domain = ?")) {
                s.setString(1, trustDomain.name());
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(row(r)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void put(FederationRelationship rel) {
        jdbc.write(c -> {
            delete(c, rel.trustDomain());
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO federation_relationships (" + COLUMNS + ", updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                s.setString(1, rel.trustDomain().name());
                s.setString(2, rel.bundleEndpointUrl().toString());
                s.setString(3, rel.profile().configName());
                s.setString(4, rel.endpointId().map(SpiffeId::toString).orElse(null));
                s.setString(5, rel.caFile().map(Path::toString).orElse(null));
                s.setLong(6, jdbc.clock().millis());
                s.executeUpdate();
            }
            jdbc.recordChange(c, Change.Kind.FEDERATION, rel.trustDomain().name(), null, Change.Op.UPSERT);
            return null;
        });
    }

    @Override
    public boolean delete(TrustDomain trustDomain) {
        return jdbc.write(c -> {
            boolean deleted = delete(c, trustDomain);
            if (deleted) {
                jdbc.recordChange(c, Change.Kind.FEDERATION, trustDomain.name(), null, Change.Op.DELETE);
            }
            return deleted;
        });
    }

    private static boolean delete(Connection c, TrustDomain trustDomain) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM federation_relationships WHERE trust_domain = ?")) {
            s.setString(1, trustDomain.name());
            return s.executeUpdate() > 0;
        }
    }

    private static FederationRelationship row(ResultSet r) throws SQLException {
        String endpointId = r.getString(4);
        String caFile = r.getString(5);
        return new FederationRelationship(
                new TrustDomain(r.getString(1)),
                URI.create(r.getString(2)),
                FederationRelationship.Profile.parse(r.getString(3)),
                endpointId == null ? null : SpiffeId.parse(endpointId),
                caFile == null ? null : Path.of(caFile));
    }
}
