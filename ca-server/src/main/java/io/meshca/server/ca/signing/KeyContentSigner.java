package io.meshca.server.ca.signing;

import io.meshca.server.ca.keys.SigningKey;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;

/**
 * Lets Bouncy Castle certificate builders sign through a KeyManager key that never leaves the manager
 * (which signs with the process's crypto provider). One instance per signature: it keeps the bytes it
 * signed, so the certificate can be assembled from them without encoding the TBS part twice.
 */
final class KeyContentSigner implements ContentSigner {

    private final SigningKey key;
    private final AlgorithmIdentifier algorithm;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);
    private byte[] signed;

    KeyContentSigner(SigningKey key) {
        this(key, algorithmOf(key));
    }

    KeyContentSigner(SigningKey key, AlgorithmIdentifier algorithm) {
        this.key = key;
        this.algorithm = algorithm;
    }

    static AlgorithmIdentifier algorithmOf(SigningKey key) {
        return new DefaultSignatureAlgorithmIdentifierFinder().find(key.signatureAlgorithm());
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
        signed = buffer.toByteArray();
        return key.sign(signed);
    }

    /** The exact bytes the last {@link #getSignature()} signed (the DER of the TBS structure). */
    byte[] signedContent() {
        if (signed == null) {
            throw new IllegalStateException("nothing signed yet");
        }
        return signed;
    }
}
