package io.meshca.agent.attestation.node;

import io.meshca.common.attestation.X509PopChallenge;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.files.TextFiles;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Pem;
import io.meshca.common.plugin.PluginConfig;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Attests with an X.509 certificate provisioned on the node out of band, and proves it holds the
 * certificate's key (SPIRE's {@code x509pop}): the evidence is the certificate chain, as concatenated DER
 * (the node's certificate first, then the intermediates the server needs), and the server's challenge is
 * answered with a signature by the key ({@link X509PopChallenge}). The files are read again for every
 * attestation, so a certificate renewed on disk is the one presented; the key proves possession each
 * time, so the agent can attest again by itself whenever its SVID has expired.
 */
public final class X509PopAttestor implements NodeAttestor {

    public static final String TYPE = "x509pop";
    /** The block's key: PEM certificates, the node's own first, then intermediates. */
    public static final String CERTIFICATE_PATH = "certificatePath";
    /** The block's key: the node certificate's private key, PKCS#8 PEM. */
    public static final String PRIVATE_KEY_PATH = "privateKeyPath";

    static final String KEY_MISMATCH = "the private key %s does not belong to the certificate %s (its first one)";

    private final Path certificatePath;
    private final Path privateKeyPath;

    /** The pair the last {@link #payload} presented: the challenge of that attestation is signed with its key. */
    private volatile NodeIdentity presented;

    private X509PopAttestor(Path certificatePath, Path privateKeyPath, NodeIdentity identity) {
        this.certificatePath = certificatePath;
        this.privateKeyPath = privateKeyPath;
        this.presented = identity;
    }

    /**
     * The {@code plugins.nodeAttestor.x509pop} plugin: {@code certificatePath} and {@code privateKeyPath},
     * both required; both files are read now and the key must belong to the certificate.
     *
     * @throws InvalidArgumentException naming the unknown or missing key of the block, or the file that
     *     cannot be read or does not match
     */
    public static X509PopAttestor create(PluginConfig block) {
        block.allowOnly(CERTIFICATE_PATH, PRIVATE_KEY_PATH);
        Path certificates = required(block, CERTIFICATE_PATH);
        Path key = required(block, PRIVATE_KEY_PATH);
        return new X509PopAttestor(certificates, key, NodeIdentity.read(certificates, key));
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The chain as the files hold it now.
     *
     * @throws FailedPreconditionException naming the file if they cannot be read any more, or no longer match
     */
    @Override
    public Optional<byte[]> payload() {
        try {
            presented = NodeIdentity.read(certificatePath, privateKeyPath);
        } catch (InvalidArgumentException e) {
            throw new FailedPreconditionException(e.getMessage());
        }
        return Optional.of(Certificates.concatenatedDer(presented.chain()));
    }

    /** Yes: the node proves it holds the key every time; nothing is used up. */
    @Override
    public boolean canReattest() {
        return true;
    }

    /**
     * The signature over the challenge with the node key.
     *
     * @throws InvalidArgumentException if the challenge is not an x509pop challenge: the key signs nothing else
     */
    @Override
    public byte[] respond(byte[] challenge) {
        return X509PopChallenge.sign(presented.key(), challenge);
    }

    /** Names the files, never the key. */
    @Override
    public String toString() {
        return "X509PopAttestor[certificatePath=" + certificatePath + ", privateKeyPath=" + privateKeyPath + "]";
    }

    private static Path required(PluginConfig block, String key) {
        return block.path(key)
                .filter(p -> !p.toString().isBlank())
                .orElseThrow(() -> new InvalidArgumentException(block.path() + "." + key + " is required"));
    }

    /** A node certificate chain and its key, read and checked together. */
    private record NodeIdentity(List<X509Certificate> chain, PrivateKey key) {

        static NodeIdentity read(Path certificatePath, Path privateKeyPath) {
            List<X509Certificate> chain = decode(certificatePath, "x509pop certificate", Pem::decodeCertificates);
            PrivateKey key = decode(privateKeyPath, "x509pop private key", Pem::decodePrivateKey);
            X509Certificate leaf = chain.get(0);
            X509PopChallenge.keyProblem(leaf.getPublicKey()).ifPresent(problem -> {
                throw new InvalidArgumentException(
                        "the certificate " + certificatePath + " cannot be used: " + problem);
            });
            if (!matches(key, leaf)) {
                throw new InvalidArgumentException(String.format(KEY_MISMATCH, privateKeyPath, certificatePath));
            }
            return new NodeIdentity(chain, key);
        }

        /** Whether the key signs what the certificate's public key verifies: the proof the server asks for. */
        private static boolean matches(PrivateKey key, X509Certificate leaf) {
            if (!key.getAlgorithm().equals(leaf.getPublicKey().getAlgorithm())) {
                return false;
            }
            byte[] probe = X509PopChallenge.fresh(new SecureRandom());
            return X509PopChallenge.verify(leaf.getPublicKey(), probe, X509PopChallenge.sign(key, probe));
        }

        private static <T> T decode(Path file, String what, Function<String, T> decoder) {
            String text = TextFiles.readPem(file, what);
            try {
                return decoder.apply(text);
            } catch (InvalidArgumentException e) {
                throw new InvalidArgumentException(what + " " + file + ": " + e.getMessage());
            }
        }
    }
}
