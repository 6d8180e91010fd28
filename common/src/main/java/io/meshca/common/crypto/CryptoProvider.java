package io.meshca.common.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.conscrypt.Conscrypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JCA provider meshca signs, verifies and generates EC keys with, chosen once per process:
 * Conscrypt (BoringSSL) where its native library loads — about 15x the JDK's ECDSA signing rate — and
 * the JDK's own providers otherwise. Bouncy Castle stays for certificate and CSR structure only.
 *
 * <p>Conscrypt is used as an explicit provider, never installed globally, so TLS and everything else
 * keep the JDK's defaults. {@value #PROPERTY}{@code =jdk} forces the JDK (to compare, or to rule
 * Conscrypt out).
 */
public final class CryptoProvider {

    /** System property: {@code jdk} forces the JDK providers; anything else (or unset) prefers Conscrypt. */
    public static final String PROPERTY = "meshca.crypto.provider";

    public static final String JDK = "JDK";

    private static final Logger log = LoggerFactory.getLogger(CryptoProvider.class);

    private static final class Holder {
        static final CryptoProvider CHOSEN =
                choose(!"jdk".equalsIgnoreCase(System.getProperty(PROPERTY, "")), CryptoProvider::loadConscrypt);
    }

    /** null = the JDK's default provider for each algorithm. */
    private final Provider provider;

    private CryptoProvider(Provider provider) {
        this.provider = provider;
    }

    /** The provider of this process, chosen (and logged) on first use. */
    public static CryptoProvider get() {
        return Holder.CHOSEN;
    }

    /** The JDK's providers, whatever the process chose (for tests and comparisons). */
    public static CryptoProvider jdk() {
        return new CryptoProvider(null);
    }

    /**
     * Picks Conscrypt when {@code preferConscrypt} and the loader yields a working provider, the JDK
     * otherwise; logs which.
     */
    static CryptoProvider choose(boolean preferConscrypt, Supplier<Optional<Provider>> conscrypt) {
        if (preferConscrypt) {
            Optional<Provider> loaded = conscrypt.get();
            if (loaded.isPresent()) {
                CryptoProvider chosen = new CryptoProvider(loaded.get());
                log.info("crypto provider: {} (BoringSSL) for ECDSA sign/verify and EC key generation", chosen.name());
                return chosen;
            }
            log.info("crypto provider: JDK (Conscrypt is not available on this platform)");
        } else {
            log.info("crypto provider: JDK (forced by -D{}=jdk)", PROPERTY);
        }
        return jdk();
    }

    /** Conscrypt if its classes are on the class path and its native library loads on this platform. */
    static Optional<Provider> loadConscrypt() {
        try {
            if (!Conscrypt.isAvailable()) {
                return Optional.empty();
            }
            Provider p = Conscrypt.newProvider();
            // Prove the three operations work before committing to it for the life of the process.
            CryptoProvider candidate = new CryptoProvider(p);
            KeyPair pair = candidate.generateEcP256();
            Signature s = candidate.signature("SHA256withECDSA");
            s.initSign(pair.getPrivate());
            s.update(new byte[] {1});
            byte[] sig = s.sign();
            Signature v = candidate.signature("SHA256withECDSA");
            v.initVerify(pair.getPublic());
            v.update(new byte[] {1});
            if (!v.verify(sig)) {
                return Optional.empty();
            }
            return Optional.of(p);
        } catch (LinkageError | RuntimeException | GeneralSecurityException e) {
            log.debug("Conscrypt does not load", e);
            return Optional.empty();
        }
    }

    /** {@code Conscrypt} or {@code JDK}. */
    public String name() {
        return provider == null ? JDK : provider.getName();
    }

    public boolean isJdk() {
        return provider == null;
    }

    /** The provider, if not the JDK's defaults (for APIs that take a Provider, e.g. Bouncy Castle's builders). */
    public Optional<Provider> provider() {
        return Optional.ofNullable(provider);
    }

    /**
     * A new Signature for {@code algorithm} (not thread-safe: one per call or per thread). Falls back to
     * the JDK for an algorithm the chosen provider lacks.
     */
    public Signature signature(String algorithm) throws GeneralSecurityException {
        Objects.requireNonNull(algorithm, "algorithm");
        if (provider != null) {
            try {
                return Signature.getInstance(algorithm, provider);
            } catch (NoSuchAlgorithmException e) {
                // not offered by the chosen provider: the JDK's below
            }
        }
        return Signature.getInstance(algorithm);
    }

    /** A fresh EC P-256 key pair. */
    public KeyPair generateEcP256() {
        try {
            KeyPairGenerator generator = provider == null
                    ? KeyPairGenerator.getInstance("EC")
                    : KeyPairGenerator.getInstance("EC", provider);
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is not available from " + name(), e);
        }
    }

    /**
     * The same private key as this provider's own object, so that signing does not convert it on every
     * call; the key unchanged if the provider cannot take it (e.g. an HSM key or RSA with the JDK).
     */
    public PrivateKey importPrivateKey(PrivateKey key) {
        if (provider == null || key.getEncoded() == null) {
            return key;
        }
        try {
            return KeyFactory.getInstance(key.getAlgorithm(), provider).translateKey(key) instanceof PrivateKey p
                    ? p
                    : key;
        } catch (GeneralSecurityException | RuntimeException e) {
            return key;
        }
    }

    /** The same public key as this provider's own object; the key unchanged if it cannot. */
    public PublicKey importPublicKey(PublicKey key) {
        if (provider == null) {
            return key;
        }
        try {
            return KeyFactory.getInstance(key.getAlgorithm(), provider).translateKey(key) instanceof PublicKey p
                    ? p
                    : key;
        } catch (GeneralSecurityException | RuntimeException e) {
            return key;
        }
    }

    @Override
    public String toString() {
        return "CryptoProvider[" + name() + "]";
    }
}
