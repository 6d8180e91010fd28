package io.meshca.server.ca.signing;

import io.meshca.server.ca.keys.SigningKey;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;

/** Lets Bouncy Castle certificate builders sign through a KeyManager key that never leaves the manager. */
final class KeyContentSigner implements ContentSigner {

    private final SigningKey key;
    private final AlgorithmIdentifier algorithm;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);

    KeyContentSigner(SigningKey key) {
        this.key = key;
        this.algorithm = new DefaultSignatureAlgorithmIdentifierFinder().find(key.signatureAlgorithm());
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
        return algorithm;
    }

    @Override
    public OutputStream getOutputStream() {
        return buffer;
    }

    @Override
    public byte[] getSignature() {
        return key.sign(buffer.toByteArray());
    }
}
