package io.meshca.common.pki;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** DER parsing and encoding of X.509 certificates, and reading a certificate's SPIFFE ID. */
public final class Certificates {

    private static final int URI_SAN = 6;

    private Certificates() {}

    /**
     * Parses one DER certificate. Reads it alone rather than as a collection: several times faster, and an
     * agent parses thousands at once when it re-issues after a taint.
     *
     * @throws InvalidArgumentException if {@code der} is not exactly one certificate
     */
    public static X509Certificate parse(byte[] der) {
        ByteArrayInputStream in = new ByteArrayInputStream(der);
        X509Certificate certificate;
        try {
            certificate =
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (CertificateException e) {
            List<X509Certificate> all = parseConcatenated(der);
            throw new InvalidArgumentException("expected one DER certificate, found " + all.size());
        }
        if (in.available() > 0) {
            throw new InvalidArgumentException("expected one DER certificate, found "
                    + parseConcatenated(der).size());
        }
        return certificate;
    }

    /**
     * Parses concatenated DER certificates (the Workload API's chain and bundle encoding).
     *
     * <p>One certificate at a time: the JDK's {@code generateCertificates} first tries each input as a
     * PKCS#7 bundle and throws (and catches) three exceptions per call before reading plain DER — 50-70 µs
     * per certificate against ~10 µs, which an agent re-issuing thousands of SVIDs after a taint pays
     * for every one of them.
     */
    public static List<X509Certificate> parseConcatenated(byte[] der) {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            ByteArrayInputStream in = new ByteArrayInputStream(der);
            List<X509Certificate> out = new ArrayList<>(2);
            while (in.available() > 0) {
                out.add((X509Certificate) factory.generateCertificate(in));
            }
            return out;
        } catch (CertificateException e) {
            throw new InvalidArgumentException("malformed DER certificate: " + e.getMessage(), e);
        }
    }

    public static List<X509Certificate> parseAll(List<byte[]> ders) {
        List<X509Certificate> out = new ArrayList<>(ders.size());
        for (byte[] der : ders) {
            out.add(parse(der));
        }
        return out;
    }

    public static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("certificate cannot be encoded", e);
        }
    }

    /** The DER encodings of the certificates, concatenated, as the Workload API sends chains and bundles. */
    public static byte[] concatenatedDer(List<X509Certificate> certificates) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (X509Certificate certificate : certificates) {
            out.writeBytes(der(certificate));
        }
        return out.toByteArray();
    }

    /**
     * The certificate's SPIFFE ID: its single URI SAN, if it is a {@code spiffe://} URI. Empty if there is
     * no URI SAN; throws if there are several or the one there is not a valid SPIFFE ID.
     */
    public static Optional<SpiffeId> spiffeId(X509Certificate certificate) {
        Collection<List<?>> sans;
        try {
            sans = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new InvalidArgumentException("malformed subjectAltName: " + e.getMessage(), e);
        }
        if (sans == null) {
            return Optional.empty();
        }
        String uri = null;
        for (List<?> san : sans) {
            if (((Integer) san.get(0)) == URI_SAN) {
                if (uri != null) {
                    throw new InvalidArgumentException("certificate has more than one URI SAN");
                }
                uri = (String) san.get(1);
            }
        }
        return uri == null ? Optional.empty() : Optional.of(SpiffeId.parse(uri));
    }
}
