package io.meshca.server.audit;

import io.meshca.server.model.AuditRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The hash chain rule: a row's hash is SHA-256 over the previous hash and every field of the row. */
public final class AuditChain {

    /** The "previous hash" of the first row. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {}

    /** One digest per thread: the writer hashes every issued certificate's row. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    });

    public static String hash(
            long seq, long atMillis, String actor, String action, String subject, String detail, String prevHash) {
        MessageDigest sha = SHA256.get();
        sha.reset();
        byte[] length = new byte[4];
        for (String field :
                new String[] {prevHash, Long.toString(seq), Long.toString(atMillis), actor, action, subject, detail}) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            // Length-prefixed (4 bytes, big-endian) so that moving text between fields changes the hash.
            length[0] = (byte) (bytes.length >>> 24);
            length[1] = (byte) (bytes.length >>> 16);
            length[2] = (byte) (bytes.length >>> 8);
            length[3] = (byte) bytes.length;
            sha.update(length);
            sha.update(bytes);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    public static AuditRecord next(AuditRecord previous, long atMillis, AuditEvent e) {
        long seq = previous == null ? 1 : previous.seq() + 1;
        String prev = previous == null ? GENESIS : previous.hash();
        return new AuditRecord(
                seq,
                atMillis,
                e.actor(),
                e.action(),
                e.subject(),
                e.detail(),
                prev,
                hash(seq, atMillis, e.actor(), e.action(), e.subject(), e.detail(), prev));
    }

    /** Checks a run of rows; returns null if intact, else a message naming the first broken row. */
    public static String verify(AuditRecord previous, Iterable<AuditRecord> rows) {
        AuditRecord prev = previous;
        for (AuditRecord r : rows) {
            long expectedSeq = prev == null ? 1 : prev.seq() + 1;
            String expectedPrev = prev == null ? GENESIS : prev.hash();
            if (r.seq() != expectedSeq) {
                return "audit row " + r.seq() + ": expected sequence number " + expectedSeq + " (a row is missing)";
            }
            if (!r.prevHash().equals(expectedPrev)) {
                return "audit row " + r.seq() + ": previous-hash does not match row " + (r.seq() - 1);
            }
            String h = hash(r.seq(), r.atMillis(), r.actor(), r.action(), r.subject(), r.detail(), r.prevHash());
            if (!h.equals(r.hash())) {
                return "audit row " + r.seq() + ": hash does not match its contents (the row was altered)";
            }
            prev = r;
        }
        return null;
    }
}
