package io.meshca.server.ca.upstream;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.pki.Pem;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads the PEM files an operator hands the {@code disk} upstream authority. Each error names the
 * problem only; the caller puts the config key and the file in front. Nothing read from a key file
 * reaches a message, not even a parser's own words, which could quote it.
 */
final class UpstreamPemFiles {

    private UpstreamPemFiles() {}

    /** Every CERTIFICATE block, in order; at least one. */
    static List<X509Certificate> certificates(Path file) {
        String text = read(file);
        try {
            return Pem.decodeCertificates(text);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException(e.getMessage());
        }
    }

    /**
     * The one private key in the file: PKCS#8 ({@code PRIVATE KEY}) or traditional ({@code EC PRIVATE
     * KEY}, {@code RSA PRIVATE KEY}); other blocks (EC PARAMETERS, certificates) are skipped.
     */
    static PrivateKey privateKey(Path file) {
        String text = read(file);
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        List<PrivateKey> keys = new ArrayList<>(1);
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new InvalidArgumentException("the private key is encrypted; meshca reads unencrypted keys"
                            + " only (decrypt it with `openssl pkey`, and keep the file 0600)");
                }
                if (object instanceof PEMKeyPair pair) {
                    // the private part only: RFC 5915 leaves the public key out of an EC key as optional
                    keys.add(converter.getPrivateKey(pair.getPrivateKeyInfo()));
                } else if (object instanceof PrivateKeyInfo info) {
                    keys.add(converter.getPrivateKey(info));
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidArgumentException invalid) {
                throw invalid;
            }
            // The parser's message (and its cause) may quote the key: say what it is not, nothing more.
            throw new InvalidArgumentException(
                    "not a readable PEM private key (PKCS#8 PRIVATE KEY, EC PRIVATE KEY" + " or RSA PRIVATE KEY)");
        }
        if (keys.size() != 1) {
            throw new InvalidArgumentException(
                    keys.isEmpty()
                            ? "no private key found (expected a PEM PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY"
                                    + " block)"
                            : "holds " + keys.size() + " private keys; expected exactly one");
        }
        return keys.get(0);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidArgumentException("no such file");
        } catch (AccessDeniedException e) {
            throw new InvalidArgumentException("not readable by this process (permission denied)");
        } catch (CharacterCodingException e) {
            throw new InvalidArgumentException(
                    "is not text: PEM expected (convert DER with `openssl x509` or" + " `openssl pkey`)");
        } catch (IOException e) {
            // file-system errors only (a directory, an I/O error): the content is never in them
            throw new InvalidArgumentException("cannot be read: " + e.getMessage());
        }
    }
}
