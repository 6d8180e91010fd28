package io.meshca.server.aws;

import io.meshca.common.pki.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * A stand-in for AWS in tests: an RSA-2048 key with a self-signed certificate, like the per-region
 * certificates AWS publishes, that signs instance identity documents into a PKCS#7 SignedData as the
 * metadata service's {@code rsa2048} endpoint serves it (base64 in 64-character lines, no PEM armour).
 */
public final class TestAwsIdentity {

    public static final String ACCOUNT = "123456789012";
    public static final String REGION = "us-west-2";
    public static final String ZONE = "us-west-2b";
    public static final String IMAGE = "ami-5fb8c835";

    public final KeyPair key;
    public final X509Certificate certificate;

    /** @param serial the certificate's serial: two stand-ins with one serial look alike to a signer ID */
    public TestAwsIdentity(long serial) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            key = generator.generateKeyPair();
            X500Principal name = new X500Principal(
                    "CN=Amazon Web Services LLC, O=Amazon Web Services LLC," + " L=Seattle, ST=Washington State, C=US");
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(
                    name,
                    BigInteger.valueOf(serial),
                    Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(3650))),
                    name,
                    key.getPublic());
            certificate = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate())));
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An identity document as the metadata service serves it, with AWS's field names and layout. */
    public static String document(String accountId, String instanceId, Instant pendingTime) {
        return """
                {
                  "accountId" : "%s",
                  "architecture" : "x86_64",
                  "availabilityZone" : "%s",
                  "billingProducts" : null,
                  "devpayProductCodes" : null,
                  "marketplaceProductCodes" : null,
                  "imageId" : "%s",
                  "instanceId" : "%s",
                  "instanceType" : "t3.micro",
                  "kernelId" : null,
                  "pendingTime" : "%s",
                  "privateIp" : "10.158.112.84",
                  "ramdiskId" : null,
                  "region" : "%s",
                  "version" : "2017-09-30"
                }""".formatted(accountId, ZONE, IMAGE, instanceId, pendingTime, REGION);
    }

    /** The rsa2048 signature of {@code document}: a SignedData that carries the document, signed by this key. */
    public String sign(String document) {
        return sign(document, null);
    }

    /** As {@link #sign(String)}, with this certificate also carried inside the SignedData when asked. */
    public String sign(String document, X509Certificate carried) {
        try {
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(
                    new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                            .build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate()), certificate));
            if (carried != null) {
                generator.addCertificates(new JcaCertStore(List.of(carried)));
            }
            byte[] der = generator
                    .generate(new CMSProcessableByteArray(document.getBytes(StandardCharsets.UTF_8)), true)
                    .getEncoded();
            return Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(der);
        } catch (GeneralSecurityException | OperatorCreationException | CMSException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The attestation payload of {@code document}, signed by this key. */
    public byte[] payload(String document) {
        return new SignedIdentityDocument(document, sign(document)).toJson();
    }

    /** Writes this certificate as a PEM file, the server's awsCertificatePath. */
    public Path writeCertificate(Path file) {
        try {
            return Files.writeString(file, Pem.encodeCertificates(List.of(certificate)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
