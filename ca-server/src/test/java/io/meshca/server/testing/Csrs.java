package io.meshca.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Hostile CSRs for tests: asking for CA=true, carrying a foreign identity. */
public final class Csrs {

    private Csrs() {}

    public static byte[] withExtensions(KeyPair key, String subject, boolean askCa, String uriSan) {
        try {
            var builder = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), key.getPublic());
            ExtensionsGenerator ext = new ExtensionsGenerator();
            if (askCa) {
                ext.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            }
            if (uriSan != null) {
                ext.addExtension(
                        Extension.subjectAlternativeName,
                        false,
                        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uriSan)));
            }
            if (!ext.isEmpty()) {
                builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
            }
            return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
                    .getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }
}
