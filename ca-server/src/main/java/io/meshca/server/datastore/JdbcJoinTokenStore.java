package io.meshca.server.datastore;

import io.meshca.server.attestation.node.JoinTokenStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;

final class JdbcJoinTokenStore implements JoinTokenStore {

    private final Jdbc jdbc;

    JdbcJoinTokenStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void create(String tokenHash, String tokenId, Instant expiresAt, Instant createdAt) {
        jdbc.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO join_tokens (token_hash, token_id, expires_at, used_at, created_at) VALUES (?, ?, ?, NULL, ?)")) {
                s.setString(1, tokenHash);
                s.setString(2, tokenId);
                s.setLong(3, expiresAt.toEpochMilli());
                s.setLong(4, createdAt.toEpochMilli());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Redemption redeem(String tokenHash, Instant now) {
        return jdbc.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE join_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?")) {
                s.setLong(1, now.toEpochMilli());
                s.setString(2, tokenHash);
                s.setLong(3, now.toEpochMilli());
                boolean redeemed = s.executeUpdate() == 1;
                try (PreparedStatement q = c.prepareStatement(
                        "SELECT token_id, used_at, expires_at FROM join_tokens WHERE token_hash = ?")) {
                    q.setString(1, tokenHash);
                    try (ResultSet r = q.executeQuery()) {
                        if (!r.next()) {
                            return new Redemption(Outcome.UNKNOWN, null);
                        }
                        String id = r.getString("token_id");
                        if (redeemed) {
                            return new Redemption(Outcome.REDEEMED, id);
                        }
                        r.getLong("used_at");
                        boolean used = !r.wasNull();
                        return new Redemption(used ? Outcome.ALREADY_USED : Outcome.EXPIRED, id);
                    }
                }
            }
        });
    }
}
