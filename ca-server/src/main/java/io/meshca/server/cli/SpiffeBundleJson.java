package io.meshca.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.meshca.common.pki.Certificates;
import io.meshca.proto.server.v1.Bundle;
import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SPIFFE bundle format (a JWKS): X.509 authorities as keys with {@code use: x509-svid} and a
 * single-certificate {@code x5c}, plus {@code spiffe_sequence} and {@code spiffe_refresh_hint}.
 */
final class SpiffeBundleJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private SpiffeBundleJson() {
    }

    static String of(Bundle bundle) {
        List<Map<String, Object>> keys = new ArrayList<>();
        bundle.getX509AuthoritiesList().forEach(der -> keys.add(x509Key(Certificates.parse(der.toByteArray()))));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("keys", keys);
        doc.put("spiffe_sequence", bundle.getSequence());
        doc.put("spiffe_refresh_hint", bundle.getRefreshHintSeconds());
        try {
            return JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> x509Key(X509Certificate cert) {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("use", "x509-svid");
        PublicKey pk = cert.getPublicKey();
        if (pk instanceof ECPublicKey ec) {
            int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
            key.put("kty", "EC");
            key.put("crv", size == 32 ? "P-256" : size == 48 ? "P-384" : "P-521");
            key.put("x", B64URL.encodeToString(unsigned(ec.getW().getAffineX(), size)));
            key.put("y", B64URL.encodeToString(unsigned(ec.getW().getAffineY(), size)));
        } else if (pk instanceof RSAPublicKey rsa) {
            key.put("kty", "RSA");
            key.put("n", B64URL.encodeToString(unsigned(rsa.getModulus(), (rsa.getModulus().bitLength() + 7) / 8)));
            key.put("e", B64URL.encodeToString(unsigned(rsa.getPublicExponent(), (rsa.getPublicExponent().bitLength() + 7) / 8)));
        }
        key.put("x5c", List.of(Base64.getEncoder().encodeToString(Certificates.der(cert))));
        return key;
    }

    /** Big-endian, exactly {@code size} bytes, as JWK coordinates are written. */
    private static byte[] unsigned(BigInteger value, int size) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[size];
        int copy = Math.min(raw.length, size);
        System.arraycopy(raw, raw.length - copy, out, size - copy, copy);
        return out;
    }
}
