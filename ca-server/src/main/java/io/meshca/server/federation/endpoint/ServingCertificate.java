package io.meshca.server.federation.endpoint;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.files.TextFiles;
import io.meshca.common.pki.Pem;
import io.meshca.common.tls.TlsIdentity;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** The https_web serving identity: a PEM certificate chain (leaf first) and its PKCS#8 PEM key. */
public final class ServingCertificate {

    private ServingCertificate() {}

    public static TlsIdentity load(Path certFile, Path keyFile) {
        List<X509Certificate> chain;
        PrivateKey key;
        String certText = TextFiles.readPem(certFile, "bundle endpoint certificate");
        String keyText = TextFiles.readPem(keyFile, "bundle endpoint private key");
        try {
            chain = Pem.decodeCertificates(certText);
        } catch (RuntimeException e) {
            throw new InvalidArgumentException(
                    "cannot read bundle endpoint certificate " + certFile + ": " + e.getMessage(), e);
        }
        try {
            key = Pem.decodePrivateKey(keyText);
        } catch (RuntimeException e) {
            // the message of a key parser may quote the input: do not pass it on
            throw new InvalidArgumentException("cannot read bundle endpoint private key " + keyFile, e);
        }
        if (chain.isEmpty()) {
            throw new InvalidArgumentException(
                    "bundle endpoint certificate file " + certFile + " holds no certificate");
        }
        return new TlsIdentity(key, chain);
    }
}
