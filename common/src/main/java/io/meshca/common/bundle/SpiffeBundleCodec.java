package io.meshca.common.bundle;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.TrustDomain;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The SPIFFE bundle document (a JWK Set with {@code spiffe_sequence} and {@code spiffe_refresh_hint})
 * in both directions. Rendering follows the X509-SVID and JWT-SVID standards: an X.509 authority is a
 * {@code use: x509-svid} key whose {@code x5c} holds exactly its one certificate and no {@code kid};
 * a JWT authority is a {@code use: jwt-svid} key with its {@code kid}.
 *
 * <p>Parsing is strict about what would make the bundle wrong or ambiguous (see the {@code *} message
 * constants) and lenient where the Trust Domain and Bundle standard (section 4.2) tells consumers to
 * ignore an element: a key whose {@code use} or {@code kty} is unknown is skipped, so a document from a
 * newer implementation still loads.
 */
public final class SpiffeBundleCodec {

    public static final String X509_SVID = "x509-svid";
    public static final String JWT_SVID = "jwt-svid";

    public static final String NOT_JSON = "bundle document is not a JSON object";
    public static final String NO_KEYS = "bundle document has no \"keys\" array";
    public static final String BAD_SEQUENCE = "spiffe_sequence is not a non-negative integer";
    public static final String BAD_REFRESH_HINT = "spiffe_refresh_hint is not a non-negative integer";
    public static final String KEY_NOT_OBJECT = "is not a JSON object";
    public static final String NO_USE = "has no \"use\"";
    public static final String X5C_NOT_ONE = "x509-svid key must carry exactly one certificate in \"x5c\"";
    public static final String X5C_NOT_CERT = "x5c is not a base64 DER certificate";
    public static final String X5C_NOT_CA = "x5c certificate is not a CA (basicConstraints CA=true missing)";
    public static final String X5C_OTHER_DOMAIN = "x5c certificate belongs to another trust domain";
    public static final String KEY_MISMATCH = "public key does not match its x5c certificate";
    public static final String JWT_NO_KID = "jwt-svid key has no \"kid\"";
    public static final String DUPLICATE_KID = "duplicate jwt-svid \"kid\"";
    public static final String BAD_KEY = "is not a valid JWK";
    public static final String NO_USABLE_KEY = "bundle document has keys but none with use x509-svid or jwt-svid";

    private SpiffeBundleCodec() {}

    /** The full SPIFFE bundle document: X.509 and JWT authorities, sequence and refresh hint. */
    public static String toJson(SpiffeBundle bundle) {
        List<Object> keys = new ArrayList<>();
        for (X509Certificate cert : bundle.x509Authorities()) {
            keys.add(x509Jwk(cert).toJSONObject());
        }
        for (JwtAuthority key : bundle.jwtAuthorities()) {
            keys.add(jwtJwk(key).toJSONObject());
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("keys", keys);
        doc.put("spiffe_sequence", bundle.sequence());
        doc.put("spiffe_refresh_hint", bundle.refreshHint().toSeconds());
        return JSONObjectUtils.toJSONString(doc);
    }

    /**
     * A plain JWKS of the JWT authorities only, as the Workload API's {@code FetchJWTBundles} carries
     * per trust domain (java-spiffe's {@code JwtBundle.parse} reads it).
     */
    public static String toJwks(List<JwtAuthority> jwtAuthorities) {
        List<Object> keys = new ArrayList<>();
        for (JwtAuthority key : jwtAuthorities) {
            keys.add(jwtJwk(key).toJSONObject());
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("keys", keys);
        return JSONObjectUtils.toJSONString(doc);
    }

    /**
     * Parses a bundle document of {@code trustDomain} (the document does not name its trust domain;
     * the caller knows it from configuration). Throws {@link InvalidBundleException} naming the
     * first problem found.
     */
    public static SpiffeBundle parse(TrustDomain trustDomain, String json) {
        Map<String, Object> doc;
        try {
            doc = JSONObjectUtils.parse(json);
        } catch (ParseException | RuntimeException e) {
            throw new InvalidBundleException(NOT_JSON, e);
        }
        if (!(doc.get("keys") instanceof List<?> keys)) {
            throw new InvalidBundleException(NO_KEYS);
        }
        long sequence = nonNegative(doc.get("spiffe_sequence"), BAD_SEQUENCE);
        long refreshHint = nonNegative(doc.get("spiffe_refresh_hint"), BAD_REFRESH_HINT);
        List<X509Certificate> x509 = new ArrayList<>();
        List<JwtAuthority> jwt = new ArrayList<>();
        Set<String> kids = new HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            String where = "key #" + i + ": ";
            if (!(keys.get(i) instanceof Map<?, ?> raw)) {
                throw new InvalidBundleException(where + KEY_NOT_OBJECT);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> key = new LinkedHashMap<>((Map<String, Object>) raw);
            if (!(key.get("use") instanceof String use)) {
                throw new InvalidBundleException(where + NO_USE);
            }
            if (X509_SVID.equals(use)) {
                x509.add(x509Authority(trustDomain, key, where));
            } else if (JWT_SVID.equals(use)) {
                JwtAuthority authority = jwtAuthority(key, where);
                if (authority != null) {
                    if (!kids.add(authority.keyId())) {
                        throw new InvalidBundleException(where + DUPLICATE_KID + " \"" + authority.keyId() + "\"");
                    }
                    jwt.add(authority);
                }
            }
            // any other use: ignored, as section 4.2.2 of the standard requires
        }
        if (!keys.isEmpty() && x509.isEmpty() && jwt.isEmpty()) {
            throw new InvalidBundleException(NO_USABLE_KEY);
        }
        return new SpiffeBundle(trustDomain, x509, jwt, sequence, Duration.ofSeconds(refreshHint));
    }

    private static X509Certificate x509Authority(TrustDomain trustDomain, Map<String, Object> key, String where) {
        if (!(key.remove("x5c") instanceof List<?> x5c) || x5c.size() != 1) {
            throw new InvalidBundleException(where + X5C_NOT_ONE);
        }
        X509Certificate cert;
        try {
            cert = Certificates.parse(new Base64((String) x5c.get(0)).decode());
        } catch (RuntimeException e) {
            throw new InvalidBundleException(where + X5C_NOT_CERT, e);
        }
        if (cert.getBasicConstraints() < 0) {
            throw new InvalidBundleException(where + X5C_NOT_CA);
        }
        String named = spiffeTrustDomain(cert);
        if (named != null && !named.equals(trustDomain.name())) {
            throw new InvalidBundleException(where + X5C_OTHER_DOMAIN + " (" + named + ", not " + trustDomain + ")");
        }
        PublicKey jwkKey = publicKey(key, where);
        if (jwkKey != null
                && !Arrays.equals(jwkKey.getEncoded(), cert.getPublicKey().getEncoded())) {
            throw new InvalidBundleException(where + KEY_MISMATCH);
        }
        return cert;
    }

    private static JwtAuthority jwtAuthority(Map<String, Object> key, String where) {
        if (!(key.get("kid") instanceof String kid) || kid.isBlank()) {
            throw new InvalidBundleException(where + JWT_NO_KID);
        }
        PublicKey publicKey = publicKey(key, where);
        return publicKey == null ? null : new JwtAuthority(kid, publicKey);
    }

    /** The key's public key, or null for a key type we do not know (the standard says: ignore it). */
    private static PublicKey publicKey(Map<String, Object> key, String where) {
        Object kty = key.get("kty");
        if (!"EC".equals(kty) && !"RSA".equals(kty)) {
            if (kty == null) {
                throw new InvalidBundleException(where + BAD_KEY + ": no \"kty\"");
            }
            return null;
        }
        try {
            JWK jwk = JWK.parse(key);
            if (jwk.isPrivate()) {
                throw new InvalidBundleException(where + BAD_KEY + ": it holds a private key");
            }
            return jwk instanceof ECKey ec ? ec.toECPublicKey() : ((RSAKey) jwk).toRSAPublicKey();
        } catch (ParseException | JOSEException | IllegalArgumentException e) {
            throw new InvalidBundleException(where + BAD_KEY + ": " + e.getMessage(), e);
        }
    }

    private static long nonNegative(Object value, String problem) {
        if (value == null) {
            return 0;
        }
        if (value instanceof Number n && n.doubleValue() == n.longValue() && n.longValue() >= 0) {
            return n.longValue();
        }
        throw new InvalidBundleException(problem);
    }

    private static String spiffeTrustDomain(X509Certificate cert) {
        try {
            if (cert.getSubjectAlternativeNames() == null) {
                return null;
            }
            for (List<?> san : cert.getSubjectAlternativeNames()) {
                if (Integer.valueOf(6).equals(san.get(0))
                        && san.get(1) instanceof String uri
                        && uri.regionMatches(true, 0, "spiffe://", 0, 9)) {
                    String rest = uri.substring(9);
                    int slash = rest.indexOf('/');
                    return (slash < 0 ? rest : rest.substring(0, slash)).toLowerCase(Locale.ROOT);
                }
            }
            return null;
        } catch (CertificateParsingException e) {
            throw new InvalidBundleException(X5C_NOT_CERT, e);
        }
    }

    private static JWK x509Jwk(X509Certificate cert) {
        return jwk(cert.getPublicKey(), new KeyUse(X509_SVID), null, List.of(Base64.encode(Certificates.der(cert))));
    }

    private static JWK jwtJwk(JwtAuthority authority) {
        return jwk(authority.publicKey(), new KeyUse(JWT_SVID), authority.keyId(), null);
    }

    private static JWK jwk(PublicKey key, KeyUse use, String kid, List<Base64> x5c) {
        if (key instanceof ECPublicKey ec) {
            return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec)
                    .keyUse(use)
                    .keyID(kid)
                    .x509CertChain(x5c)
                    .build();
        }
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa)
                    .keyUse(use)
                    .keyID(kid)
                    .x509CertChain(x5c)
                    .build();
        }
        throw new IllegalArgumentException("unsupported authority key algorithm " + key.getAlgorithm());
    }
}
