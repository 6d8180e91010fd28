package io.meshca.server.ca.upstream;

import static io.meshca.server.ca.upstream.UpstreamFiles.BUNDLE_FILE;
import static io.meshca.server.ca.upstream.UpstreamFiles.CERT_FILE;
import static io.meshca.server.ca.upstream.UpstreamFiles.KEY_FILE;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.server.ca.signing.IntermediateCaFactory;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the {@code disk} upstream authority's files and checks that they make a CA meshca can sign
 * under, before anything is signed with them: the first certificate of {@code certFile} is a CA that
 * may sign CAs, valid now, whose key is the one in {@code keyFile}; the certificates after it are its
 * issuers in order; and the chain ends at a root (in {@code bundleFile} when there is one, else the
 * last certificate of {@code certFile}, self-signed). Every error names the config key and the file.
 */
final class UpstreamCaLoader {

    /** keyUsage bit of keyCertSign (RFC 5280 section 4.2.1.3). */
    private static final int KEY_CERT_SIGN = 5;

    private UpstreamCaLoader() {}

    /**
     * @throws InvalidArgumentException saying which file is wrong and how
     */
    static UpstreamCa load(UpstreamFiles files, Instant now) {
        List<X509Certificate> chain = certificates(files, CERT_FILE);
        X509Certificate signing = chain.get(0);
        requireCaThatSignsCas(files, signing);
        requireIssuerOrder(files, chain);
        for (X509Certificate cert : chain) {
            requireValidAt(files, CERT_FILE, cert, now);
        }
        PrivateKey key = privateKey(files);
        requireKeyOf(files, key, signing);

        X509Certificate top = chain.get(chain.size() - 1);
        boolean endsAtRoot = isSelfSigned(top);
        List<X509Certificate> upstreamChain = endsAtRoot ? chain.subList(0, chain.size() - 1) : chain;
        List<X509Certificate> roots;
        X509Certificate anchor;
        if (files.bundle().isPresent()) {
            roots = certificates(files, BUNDLE_FILE);
            requireAllCas(files, roots);
            anchor = endsAtRoot ? requireInBundle(files, top, roots) : requireIssuerInBundle(files, top, roots);
            requireValidAt(files, BUNDLE_FILE, anchor, now);
        } else if (endsAtRoot) {
            roots = List.of(top);
            anchor = top;
        } else {
            throw new InvalidArgumentException(files.describe(CERT_FILE) + ": the chain ends at "
                    + subject(top) + ", issued by " + issuer(top) + ", which is not in the file: append the"
                    + " certificates up to the root, or set " + BUNDLE_FILE + " to the root(s)");
        }
        requireValidPath(files, upstreamChain, roots, now);
        return new UpstreamCa(signing, key, upstreamChain, roots, earliestNotAfter(chain, anchor));
    }

    private static List<X509Certificate> certificates(UpstreamFiles files, String key) {
        Path file = key.equals(CERT_FILE) ? files.certFile() : files.bundleFile();
        try {
            return UpstreamPemFiles.certificates(file);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException(files.describe(key) + ": " + e.getMessage());
        }
    }

    private static PrivateKey privateKey(UpstreamFiles files) {
        try {
            return UpstreamPemFiles.privateKey(files.keyFile());
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException(files.describe(KEY_FILE) + ": " + e.getMessage());
        }
    }

    private static void requireCaThatSignsCas(UpstreamFiles files, X509Certificate signing) {
        String problem = null;
        int pathLen = signing.getBasicConstraints();
        boolean[] usage = signing.getKeyUsage();
        if (pathLen < 0) {
            problem = "is not a CA (basicConstraints CA=true is missing)";
        } else if (usage == null || usage.length <= KEY_CERT_SIGN || !usage[KEY_CERT_SIGN]) {
            problem = "may not sign certificates (keyUsage keyCertSign is missing)";
        } else if (pathLen == 0) {
            problem = "has pathLenConstraint 0: it may sign only leaf certificates, not meshca's CA (which signs"
                    + " the leaves)";
        }
        if (problem != null) {
            throw new InvalidArgumentException(
                    files.describe(CERT_FILE) + ": the signing certificate " + subject(signing) + " " + problem);
        }
    }

    private static void requireIssuerOrder(UpstreamFiles files, List<X509Certificate> chain) {
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate child = chain.get(i);
            X509Certificate parent = chain.get(i + 1);
            if (!child.getIssuerX500Principal().equals(parent.getSubjectX500Principal()) || !signedBy(child, parent)) {
                throw new InvalidArgumentException(files.describe(CERT_FILE) + ": certificate " + (i + 2) + " ("
                        + subject(parent) + ") did not sign certificate " + (i + 1) + " (" + subject(child)
                        + "): list the signing CA first, then each issuer in turn up to the root");
            }
        }
    }

    private static void requireValidAt(UpstreamFiles files, String key, X509Certificate cert, Instant now) {
        Instant notBefore = cert.getNotBefore().toInstant();
        Instant notAfter = cert.getNotAfter().toInstant();
        if (now.isAfter(notAfter)) {
            throw new InvalidArgumentException(
                    files.describe(key) + ": certificate " + subject(cert) + " expired at " + notAfter);
        }
        if (now.isBefore(notBefore)) {
            throw new InvalidArgumentException(
                    files.describe(key) + ": certificate " + subject(cert) + " is not valid until " + notBefore);
        }
    }

    /** Signs a random challenge and checks it with the certificate: works for every kind of key. */
    private static void requireKeyOf(UpstreamFiles files, PrivateKey key, X509Certificate signing) {
        String algorithm;
        try {
            algorithm = IntermediateCaFactory.signatureAlgorithm(key);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(files.describe(KEY_FILE) + ": " + e.getMessage());
        }
        boolean matches;
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(signing.getPublicKey());
            verifier.update(challenge);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false; // e.g. an RSA key for an EC certificate
        }
        if (!matches) {
            throw new InvalidArgumentException(files.describe(KEY_FILE) + ": the private key does not match the"
                    + " signing certificate " + subject(signing) + " in " + files.describe(CERT_FILE));
        }
    }

    private static void requireAllCas(UpstreamFiles files, List<X509Certificate> roots) {
        for (int i = 0; i < roots.size(); i++) {
            if (roots.get(i).getBasicConstraints() < 0) {
                throw new InvalidArgumentException(files.describe(BUNDLE_FILE) + ": certificate " + (i + 1) + " ("
                        + subject(roots.get(i)) + ") is not a CA (basicConstraints CA=true is missing)");
            }
        }
    }

    private static X509Certificate requireInBundle(
            UpstreamFiles files, X509Certificate root, List<X509Certificate> roots) {
        if (!roots.contains(root)) {
            throw new InvalidArgumentException(files.describe(CERT_FILE) + ": the chain ends at the root "
                    + subject(root) + ", which is not in " + files.describe(BUNDLE_FILE));
        }
        return root;
    }

    private static X509Certificate requireIssuerInBundle(
            UpstreamFiles files, X509Certificate top, List<X509Certificate> roots) {
        Optional<X509Certificate> issuer = roots.stream()
                .filter(root -> top.getIssuerX500Principal().equals(root.getSubjectX500Principal()))
                .filter(root -> signedBy(top, root))
                .findFirst();
        return issuer.orElseThrow(() -> new InvalidArgumentException(files.describe(CERT_FILE) + ": the chain ends"
                + " at " + subject(top) + ", issued by " + issuer(top) + ", and no certificate in "
                + files.describe(BUNDLE_FILE) + " signed it"));
    }

    /**
     * The JDK's PKIX validation of the upstream path, for what the checks above do not look at (name
     * constraints, the path lengths of the CAs above the signing one, critical extensions).
     */
    private static void requireValidPath(
            UpstreamFiles files, List<X509Certificate> upstreamChain, List<X509Certificate> roots, Instant now) {
        if (upstreamChain.isEmpty()) {
            return; // the signing CA is the root: nothing to validate under it
        }
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            for (X509Certificate root : roots) {
                anchors.add(new TrustAnchor(root, null));
            }
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(upstreamChain), parameters);
        } catch (GeneralSecurityException e) {
            String against = files.bundle().isPresent() ? "the roots in " + files.describe(BUNDLE_FILE) : "its root";
            throw new InvalidArgumentException(files.describe(CERT_FILE) + ": the chain does not validate against "
                    + against + ": " + e.getMessage());
        }
    }

    private static Instant earliestNotAfter(List<X509Certificate> chain, X509Certificate anchor) {
        List<X509Certificate> path = new ArrayList<>(chain);
        path.add(anchor);
        return path.stream()
                .map(cert -> cert.getNotAfter().toInstant())
                .min(Instant::compareTo)
                .orElseThrow();
    }

    static boolean isSelfSigned(X509Certificate cert) {
        return cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal()) && signedBy(cert, cert);
    }

    private static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
        try {
            cert.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String subject(X509Certificate cert) {
        return "\"" + cert.getSubjectX500Principal().getName() + "\"";
    }

    private static String issuer(X509Certificate cert) {
        return "\"" + cert.getIssuerX500Principal().getName() + "\"";
    }
}
