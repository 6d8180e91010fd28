package io.meshca.server.datastore;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The {@code entries.identity_key} column: SHA-256 (hex) of parent ID, SPIFFE ID and the sorted
 * selector set. Two entries with the same key select the same workloads and mint the same SVIDs, so
 * the column is UNIQUE: the database, not a check before the insert, refuses the second of two
 * concurrent creates, also when they come from two servers sharing one PostgreSQL.
 *
 * <p>A digest rather than a UNIQUE index over the three columns: a SPIFFE ID may be 2048 bytes and a
 * selector set far longer, past what a PostgreSQL index row can hold (about 2.7 kB).
 */
final class EntryIdentityKey {

    private EntryIdentityKey() {}

    static String of(SpiffeId parentId, SpiffeId spiffeId, SelectorSet selectors) {
        // Newlines cannot occur in a SPIFFE ID or a selector, so the three parts cannot run into each other.
        String canonical = parentId + "\n" + spiffeId + "\n" + Columns.selectors(selectors);
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
