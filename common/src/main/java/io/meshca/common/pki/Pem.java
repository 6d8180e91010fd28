package io.meshca.common.pki;

import io.meshca.common.error.InvalidArgumentException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM encoding and decoding of certificates, PKCS#8 private keys and PKCS#10 requests. */
public final class Pem {

    public static final String CERTIFICATE = "CERTIFICATE";
    public static final String PRIVATE_KEY = "PRIVATE KEY";
    public static final String CERTIFICATE_REQUEST = "CERTIFICATE REQUEST";

    private Pem() {}

    public static String encodeCertificates(List<X509Certificate> certificates) {
        StringBuilder out = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            out.append(encode(CERTIFICATE, Certificates.der(certificate)));
        }
        return out.toString();
    }

    /** PKCS#8 "PRIVATE KEY" PEM, the form java-spiffe, Envoy and openssl all read. */
    public static String encodePrivateKey(PrivateKey key) {
        return encode(PRIVATE_KEY, key.getEncoded());
    }

    public static String encodeCsr(byte[] der) {
        return encode(CERTIFICATE_REQUEST, der);
    }

    public static String encode(String type, byte[] der) {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Every certificate in the text, in order; throws if there is none or one is malformed. */
    public static List<X509Certificate> decodeCertificates(String pem) {
        List<byte[]> blocks = decodeAll(pem, CERTIFICATE);
        if (blocks.isEmpty()) {
            throw new InvalidArgumentException("no PEM CERTIFICATE block found");
        }
        List<X509Certificate> certificates = new ArrayList<>(blocks.size());
        for (byte[] der : blocks) {
            certificates.add(Certificates.parse(der));
        }
        return certificates;
    }

    public static PrivateKey decodePrivateKey(String pem) {
        List<byte[]> blocks = decodeAll(pem, PRIVATE_KEY);
        if (blocks.size() != 1) {
            throw new InvalidArgumentException(
                    "expected exactly one PEM PRIVATE KEY (PKCS#8) block, found " + blocks.size());
        }
        return Keys.parsePkcs8(blocks.get(0));
    }

    /** The DER of the single CERTIFICATE REQUEST block (also accepts "NEW CERTIFICATE REQUEST"). */
    public static byte[] decodeCsr(String pem) {
        List<byte[]> blocks = decodeAll(pem, CERTIFICATE_REQUEST);
        blocks.addAll(decodeAll(pem, "NEW " + CERTIFICATE_REQUEST));
        if (blocks.size() != 1) {
            throw new InvalidArgumentException(
                    "expected exactly one PEM CERTIFICATE REQUEST block, found " + blocks.size());
        }
        return blocks.get(0);
    }

    /** The DER contents of every block of the given type; blocks of other types are skipped. */
    public static List<byte[]> decodeAll(String pem, String type) {
        List<byte[]> blocks = new ArrayList<>();
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            PemObject object;
            while ((object = reader.readPemObject()) != null) {
                if (object.getType().equals(type)) {
                    blocks.add(object.getContent());
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidArgumentException("malformed PEM: " + e.getMessage(), e);
        }
        return blocks;
    }
}
