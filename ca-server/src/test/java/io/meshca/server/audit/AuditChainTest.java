package io.meshca.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AuditChainTest {

    /** The rule as first written (and as rows already stored were hashed): SHA-256 over length-prefixed fields. */
    private static String reference(
            long seq, long at, String actor, String action, String subject, String detail, String prev)
            throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (String f : new String[] {prev, Long.toString(seq), Long.toString(at), actor, action, subject, detail}) {
            byte[] bytes = f.getBytes(StandardCharsets.UTF_8);
            sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
            sha.update(bytes);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void hash_isTheStoredRowsRule_soExistingChainsStillVerify() throws Exception {
        String prev = AuditChain.GENESIS;
        for (int i = 1; i <= 3; i++) {
            String detail = "serial=" + "ab".repeat(i * 70) + " é"; // a length over 255 and non-ASCII
            String h = AuditChain.hash(
                    i,
                    1_700_000_000_000L + i,
                    "spiffe://example.org/agent",
                    "x509svid.issue",
                    "spiffe://example.org/web",
                    detail,
                    prev);
            assertThat(h)
                    .isEqualTo(reference(
                            i,
                            1_700_000_000_000L + i,
                            "spiffe://example.org/agent",
                            "x509svid.issue",
                            "spiffe://example.org/web",
                            detail,
                            prev));
            prev = h;
        }
    }

    @Test
    void movingTextBetweenFields_changesTheHash() {
        assertThat(AuditChain.hash(1, 1, "ab", "c", "s", "d", AuditChain.GENESIS))
                .isNotEqualTo(AuditChain.hash(1, 1, "a", "bc", "s", "d", AuditChain.GENESIS));
    }
}
