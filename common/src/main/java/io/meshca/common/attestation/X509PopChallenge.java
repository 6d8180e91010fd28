package io.meshca.common.attestation;

import io.meshca.common.error.InvalidArgumentException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Optional;

/**
 * The x509pop proof of possession, asked by the server's attestor and answered by the agent's.
 *
 * <ul>
 *   <li>Challenge, server to agent: the ASCII bytes of {@value #CONTEXT}, a zero byte, then {@value
 *       #NONCE_BYTES} random bytes, fresh for every attestation.
 *   <li>Response, agent to server: the signature over the whole challenge with the key of the node's
 *       certificate: {@code SHA256withECDSA} (DER) for an EC key, RSASSA-PSS with SHA-256, MGF1-SHA-256 and
 *       a 32-byte salt for an RSA key.
 * </ul>
 *
 * <p>The context is why an agent signs with its node key nothing but x509pop challenges: it refuses bytes
 * that do not start with it, so a server (or anyone who can speak to the agent as one) cannot use the
 * node's key to sign anything else, and a signature made for another protocol never passes here.
 */
public final class X509PopChallenge {

    /** What every challenge starts with (followed by a zero byte). */
    public static final String CONTEXT = "meshca x509pop challenge v1";

    public static final int NONCE_BYTES = 32;

    public static final String NOT_A_CHALLENGE = "not an x509pop challenge: the node key signs nothing else";

    public static final int MIN_RSA_BITS = 2048;

    private static final BigInteger P256_ORDER = curveOrder("secp256r1");
    private static final BigInteger P384_ORDER = curveOrder("secp384r1");

    private static final byte[] PREFIX = (CONTEXT + "\0").getBytes(StandardCharsets.US_ASCII);

    private static final PSSParameterSpec PSS =
            new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);

    private X509PopChallenge() {}

    /**
     * What is wrong with {@code key} as a node key, or empty if x509pop accepts it: EC on P-256 or P-384,
     * or RSA of at least {@value #MIN_RSA_BITS} bits.
     */
    public static Optional<String> keyProblem(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            BigInteger order = ec.getParams().getOrder();
            return order.equals(P256_ORDER) || order.equals(P384_ORDER)
                    ? Optional.empty()
                    : Optional.of("the EC key is on a curve other than P-256 and P-384");
        }
        if (key instanceof RSAPublicKey rsa) {
            return rsa.getModulus().bitLength() >= MIN_RSA_BITS
                    ? Optional.empty()
                    : Optional.of(
                            "the RSA key has " + rsa.getModulus().bitLength() + " bits, fewer than " + MIN_RSA_BITS);
        }
        return Optional.of("the key is " + key.getAlgorithm() + ", not EC (P-256, P-384) or RSA");
    }

    /** A new challenge with a nonce from {@code random}. */
    public static byte[] fresh(SecureRandom random) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] challenge = Arrays.copyOf(PREFIX, PREFIX.length + NONCE_BYTES);
        System.arraycopy(nonce, 0, challenge, PREFIX.length, NONCE_BYTES);
        return challenge;
    }

    /** Whether {@code bytes} has the form of a challenge: the context and a nonce of the right length. */
    public static boolean isChallenge(byte[] bytes) {
        return bytes != null
                && bytes.length == PREFIX.length + NONCE_BYTES
                && Arrays.equals(bytes, 0, PREFIX.length, PREFIX, 0, PREFIX.length);
    }

    /**
     * The response to {@code challenge}.
     *
     * @throws InvalidArgumentException ({@link #NOT_A_CHALLENGE}) if {@code challenge} is not one
     * @throws IllegalArgumentException if the key is neither EC nor RSA
     */
    public static byte[] sign(PrivateKey key, byte[] challenge) {
        if (!isChallenge(challenge)) {
            throw new InvalidArgumentException(NOT_A_CHALLENGE);
        }
        try {
            Signature signer = signature(key.getAlgorithm());
            signer.initSign(key);
            signer.update(challenge);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the " + key.getAlgorithm() + " node key", e);
        }
    }

    /**
     * Whether {@code response} is the signature over {@code challenge} by the key of {@code key}. A
     * malformed signature is simply not valid.
     */
    public static boolean verify(PublicKey key, byte[] challenge, byte[] response) {
        try {
            Signature verifier = signature(key.getAlgorithm());
            verifier.initVerify(key);
            verifier.update(challenge);
            return verifier.verify(response);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static BigInteger curveOrder(String name) {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(name));
            return parameters.getParameterSpec(ECParameterSpec.class).getOrder();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(name + " is not available in this JVM", e);
        }
    }

    private static Signature signature(String keyAlgorithm) throws GeneralSecurityException {
        return switch (keyAlgorithm) {
            case "EC" -> Signature.getInstance("SHA256withECDSA");
            case "RSA" -> {
                Signature pss = Signature.getInstance("RSASSA-PSS");
                pss.setParameter(PSS);
                yield pss;
            }
            default -> throw new IllegalArgumentException("x509pop supports EC and RSA keys, not " + keyAlgorithm);
        };
    }
}
