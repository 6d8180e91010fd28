package io.meshca.common.pki;

import io.meshca.common.crypto.CryptoProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Creates PKCS#10 requests as the agent sends them: the key proves possession, nothing else in the
 * request matters, because the server takes the identity from the registration entry.
 */
public final class Csrs {

    private static final X500Name EMPTY_SUBJECT = new X500Name(new RDN[0]);

    private Csrs() {}

    /** A DER PKCS#10 request for the key pair's public key, signed with its private key. */
    public static byte[] create(KeyPair keyPair) {
        return create(keyPair, CryptoProvider.jdk());
    }

    /**
     * As {@link #create(KeyPair)}, signed by {@code crypto}'s provider: for a key that provider generated
     * (an agent makes one per workload SVID, thousands at once after a taint; Conscrypt signs them
     * about ten times faster than the JDK).
     */
    public static byte[] create(KeyPair keyPair, CryptoProvider crypto) {
        try {
            JcaContentSignerBuilder builder =
                    new JcaContentSignerBuilder(Keys.signatureAlgorithm(keyPair.getPrivate()));
            crypto.provider().ifPresent(builder::setProvider);
            var signer = builder.build(keyPair.getPrivate());
            return new JcaPKCS10CertificationRequestBuilder(EMPTY_SUBJECT, keyPair.getPublic())
                    .build(signer)
                    .getEncoded();
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign a CSR with this key", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
