package io.meshca.common.selector;

import io.meshca.common.selector.KeyedSelectorVocabulary.Rule;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code x509pop} node selectors, {@code x509pop:<key>:<value>}, with SPIRE's names: what the server
 * learns from the certificate chain a node proved it holds the key of. The attestor builds its selectors
 * with these keys and entries are checked with {@link #VOCABULARY}.
 *
 * <ul>
 *   <li>{@code x509pop:subject:cn:<common name>} of the node's certificate;
 *   <li>{@code x509pop:ca:fingerprint:<sha1>} of each CA certificate in the verified chain, the trusted
 *       root included (lowercase hex of the SHA-1 of the DER);
 *   <li>{@code x509pop:serialnumber:<hex>}, the node certificate's serial number in lowercase hex
 *       without leading zeros.
 * </ul>
 */
public final class X509PopSelectors {

    public static final String TYPE = "x509pop";
    /** The node certificate's subject; the value is {@code cn:<common name>}. */
    public static final String SUBJECT = "subject";
    /** A CA certificate of the chain; the value is {@code fingerprint:<sha1 hex>}. */
    public static final String CA = "ca";
    /** The node certificate's serial number in hex. */
    public static final String SERIAL_NUMBER = "serialnumber";

    /** The part of a {@link #SUBJECT} value before the common name. */
    public static final String CN_PREFIX = "cn:";
    /** The part of a {@link #CA} value before the fingerprint. */
    public static final String FINGERPRINT_PREFIX = "fingerprint:";

    public static final String BAD_SUBJECT = "must be cn:<common name>";
    public static final String BAD_FINGERPRINT = "must be fingerprint:<sha1>, 40 lowercase hex digits";
    public static final String BAD_SERIAL = "must be lowercase hex without leading zeros";

    private static final Pattern SHA1_HEX = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern SERIAL = Pattern.compile("0|[1-9a-f][0-9a-f]*");

    private static final Map<String, Rule> RULES = Map.of(
            SUBJECT,
            new Rule(v -> v.startsWith(CN_PREFIX) && v.length() > CN_PREFIX.length(), BAD_SUBJECT),
            CA,
            new Rule(
                    v -> v.startsWith(FINGERPRINT_PREFIX)
                            && SHA1_HEX.matcher(v.substring(FINGERPRINT_PREFIX.length()))
                                    .matches(),
                    BAD_FINGERPRINT),
            SERIAL_NUMBER,
            new Rule(v -> SERIAL.matcher(v).matches(), BAD_SERIAL));

    public static final SelectorVocabulary VOCABULARY = new KeyedSelectorVocabulary(TYPE, RULES);

    private X509PopSelectors() {}

    /** {@code subject:cn:<cn>}. */
    public static String subjectCn(String commonName) {
        return SUBJECT + ":" + CN_PREFIX + commonName;
    }

    /** {@code ca:fingerprint:<sha1 hex>}. */
    public static String caFingerprint(String sha1Hex) {
        return CA + ":" + FINGERPRINT_PREFIX + sha1Hex;
    }

    /** {@code serialnumber:<hex>}. */
    public static String serialNumber(String hex) {
        return SERIAL_NUMBER + ":" + hex;
    }
}
