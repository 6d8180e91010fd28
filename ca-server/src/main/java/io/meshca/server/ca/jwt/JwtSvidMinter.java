package io.meshca.server.ca.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.util.Base64URL;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.JwtAudiences;
import io.meshca.common.spiffe.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Signs JWT-SVIDs per the SPIFFE JWT-SVID standard: header {@code alg}, {@code kid} (always: java-spiffe
 * rejects tokens without one) and {@code typ: JWT}; claims {@code sub} (the SPIFFE ID), {@code aud}
 * (always an array), {@code exp} and {@code iat}. The signature is made by the KeyManager's key, so the
 * private key never leaves it. A token never outlives its signing key.
 */
public final class JwtSvidMinter {

    public static final Duration MAX_TTL = Duration.ofHours(24);
    public static final String NO_AUDIENCE = JwtAudiences.MISSING;
    public static final String BAD_TTL = "JWT-SVID TTL must be between 1 second and 24 hours";

    private final Supplier<JwtSlot> signer;
    private final Clock clock;

    public JwtSvidMinter(Supplier<JwtSlot> signer, Clock clock) {
        this.signer = signer;
        this.clock = clock;
    }

    /**
     * Mints a token for {@code subject}.
     *
     * @throws InvalidArgumentException if the audience breaks {@link JwtAudiences}' bounds or the TTL is
     *     out of bounds
     */
    public MintedJwtSvid mint(SpiffeId subject, List<String> audience, Duration ttl) {
        // The one place every JWT-SVID is signed: the agent API's batches and the admin's jwt mint.
        JwtAudiences.check(audience);
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_TTL) > 0) {
            throw new InvalidArgumentException(BAD_TTL);
        }
        JwtSlot slot = signer.get();
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        Instant exp = now.plus(ttl);
        if (exp.isAfter(slot.authority().notAfter())) {
            exp = Instant.ofEpochSecond(slot.authority().notAfter().getEpochSecond());
        }
        JWSAlgorithm alg = algorithmOf(slot);
        JWSHeader header = new JWSHeader.Builder(alg)
                .keyID(slot.kid())
                .type(JOSEObjectType.JWT)
                .build();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", subject.toString());
        claims.put("aud", List.copyOf(audience));
        claims.put("exp", exp.getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        Base64URL encodedHeader = header.toBase64URL();
        Base64URL encodedPayload = new Payload(claims).toBase64URL();
        byte[] signingInput = (encodedHeader + "." + encodedPayload).getBytes(StandardCharsets.US_ASCII);
        byte[] signature = slot.key().sign(signingInput);
        if (alg == JWSAlgorithm.ES256) {
            signature = toConcat(signature);
        }
        String token = encodedHeader + "." + encodedPayload + "." + Base64URL.encode(signature);
        return new MintedJwtSvid(subject, token, slot.kid(), exp);
    }

    private static JWSAlgorithm algorithmOf(JwtSlot slot) {
        return switch (slot.key().publicKey().getAlgorithm()) {
            case "EC" -> JWSAlgorithm.ES256;
            case "RSA" -> JWSAlgorithm.RS256;
            default ->
                throw new IllegalStateException(
                        "unsupported JWT key " + slot.key().publicKey().getAlgorithm());
        };
    }

    /** JCA's ECDSA signature is DER; JWS wants R || S, 32 bytes each. */
    private static byte[] toConcat(byte[] der) {
        try {
            return ECDSA.transcodeSignatureToConcat(der, 64);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot transcode the ECDSA signature", e);
        }
    }
}
