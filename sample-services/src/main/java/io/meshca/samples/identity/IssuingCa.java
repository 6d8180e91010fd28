package io.meshca.samples.identity;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Which CA certificate signed an SVID. The demo counts the distinct ones a run saw to tell that the
 * server's CA rotated, which no leaf serial shows.
 *
 * <p>An SVID's chain holds its intermediates when the server signs under an upstream CA; a server
 * that is its own root sends the leaf alone, and the issuer is then the bundle certificate whose
 * subject is the leaf's issuer and whose key verifies the leaf's signature. During a CA rotation the
 * bundle holds the old and the new CA, possibly under one name: only the signature tells them apart.
 */
public final class IssuingCa {

    private IssuingCa() {}

    /**
     * @param chain       the SVID's chain, leaf first
     * @param authorities the trust bundle's CA certificates
     * @return the certificate that signed the leaf; empty if neither the chain nor the bundle has it
     */
    public static Optional<X509Certificate> of(List<X509Certificate> chain, Collection<X509Certificate> authorities) {
        X509Certificate leaf = chain.get(0);
        if (chain.size() > 1) {
            return Optional.of(chain.get(1));
        }
        List<X509Certificate> signers = authorities.stream()
                .filter(ca -> ca.getSubjectX500Principal().equals(leaf.getIssuerX500Principal()))
                .filter(ca -> signed(ca, leaf))
                .toList();
        // a CA re-issued over the same key verifies too: the issuer is the newest one that existed when the
        // leaf was made, or, for a leaf backdated past a brand-new CA's start, the oldest there is
        Comparator<X509Certificate> byStart = Comparator.comparing(X509Certificate::getNotBefore);
        return signers.stream()
                .filter(ca -> !ca.getNotBefore().after(leaf.getNotBefore()))
                .max(byStart)
                .or(() -> signers.stream().min(byStart));
    }

    /** The SHA-256 fingerprint of a certificate's DER encoding, lowercase hex (as {@code openssl -fingerprint}, without colons). */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint a certificate: " + e.getMessage(), e);
        }
    }

    private static boolean signed(X509Certificate ca, X509Certificate leaf) {
        try {
            leaf.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
