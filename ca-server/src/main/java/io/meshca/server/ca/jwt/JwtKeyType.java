package io.meshca.server.ca.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import io.meshca.server.ca.keys.KeyType;
import java.util.Locale;

/** The algorithms a trust domain's JWT signing keys use: ES256 (the default) or RS256. */
public enum JwtKeyType {
    ES256(JWSAlgorithm.ES256, KeyType.EC_P256),
    RS256(JWSAlgorithm.RS256, KeyType.RSA_2048);

    public static final String UNKNOWN = "jwtKeyType must be ES256 or RS256, got ";

    private final JWSAlgorithm algorithm;
    private final KeyType keyType;

    JwtKeyType(JWSAlgorithm algorithm, KeyType keyType) {
        this.algorithm = algorithm;
        this.keyType = keyType;
    }

    /** Parses a config value, case-insensitively; {@link IllegalArgumentException} names the bad value. */
    public static JwtKeyType parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(UNKNOWN + value);
        }
    }

    public JWSAlgorithm algorithm() {
        return algorithm;
    }

    KeyType keyType() {
        return keyType;
    }
}
