package io.meshca.agent.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64URL;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.common.bundle.JwtAuthority;
import io.meshca.common.spiffe.TrustDomain;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keys generated once per JVM and tokens built with nimbus, signed or forged as a test needs. */
public final class ForgedTokens {

    public static final TrustDomain DOMAIN = TrustDomain.parse("example.org");
    public static final String EC_KID = "ec-key-1";
    public static final String RSA_KID = "rsa-key-1";
    public static final KeyPair EC = generate("EC");
    public static final KeyPair RSA = generate("RSA");
    public static final KeyPair OTHER_EC = generate("EC");

    private ForgedTokens() {}

    public static TrustBundle bundle() {
        return new TrustBundle(
                DOMAIN,
                List.of(),
                1,
                List.of(new JwtAuthority(EC_KID, EC.getPublic()), new JwtAuthority(RSA_KID, RSA.getPublic())));
    }

    /** Valid claims for sub spiffe://example.org/orders, aud [payments], iat now, exp in 5 minutes. */
    public static Map<String, Object> claims(long nowSeconds) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", "spiffe://example.org/orders");
        claims.put("aud", List.of("payments"));
        claims.put("exp", nowSeconds + 300);
        claims.put("iat", nowSeconds);
        return claims;
    }

    public static String es256(String kid, Map<String, Object> claims) {
        return sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).build(), claims, EC);
    }

    public static String sign(JWSHeader header, Map<String, Object> claims, KeyPair key) {
        try {
            JWSObject jws = new JWSObject(header, new Payload(claims));
            if (header.getAlgorithm().getName().startsWith("HS")) {
                jws.sign(new MACSigner(new byte[64]));
            } else if (key.getPrivate() instanceof ECPrivateKey ec) {
                jws.sign(new ECDSASigner(ec));
            } else {
                jws.sign(new RSASSASigner(key.getPrivate()));
            }
            return jws.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsigned token: header {alg: none}, empty signature. */
    public static String unsigned(Map<String, Object> claims) {
        return Base64URL.encode("{\"alg\":\"none\",\"kid\":\"" + EC_KID + "\"}") + "."
                + new Payload(claims).toBase64URL() + ".";
    }

    private static KeyPair generate(String algorithm) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if ("EC".equals(algorithm)) {
                g.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                g.initialize(2048);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
