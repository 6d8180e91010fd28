package io.meshca.server.ca.keys.pkcs11;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.pki.Keys;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.server.ca.keys.KeyIds;
import io.meshca.server.ca.keys.KeyManager;
import io.meshca.server.ca.keys.KeyType;
import io.meshca.server.ca.keys.SigningKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys generated and kept on a PKCS#11 token, through one SunPKCS11 provider instance of its own.
 *
 * <p><b>How keys are found again.</b> PKCS#11 finds objects by attributes, but the JDK offers no public
 * way to search a token except its {@code PKCS11} KeyStore, and that KeyStore lists a private key only
 * when a certificate with the same CKA_ID sits beside it (the certificate's CKA_LABEL is the alias).
 * So each key is stored as a KeyStore entry: the key pair is generated on the token (a token object,
 * sensitive, non-extractable: {@link SunPkcs11Config}), then {@code setKeyEntry(id, handle, cert)} sets
 * the private key's CKA_ID to the id and stores a {@link PlaceholderCertificate} labelled and ID'd by the
 * id. The handle stays a handle: the KeyStore only writes attributes on the token, nothing is exported.
 * {@link #get} and {@link #list} read that KeyStore, so a new process (a new provider) finds the keys;
 * replacing an id is the KeyStore's own rule (the old entry, private key and certificate, is destroyed
 * before the new one is stored). The alternatives were worse: a key without certificate cannot be
 * found through the public API, and a side file mapping ids to handles would go stale (handles are
 * per session).
 *
 * <p>One manager per token and process: the KeyStore's view is read at start and kept up to date by
 * this manager's own writes, not by other processes'. Objects that are not this manager's (other
 * entries on the token, a key whose certificate was never stored because the process died in between)
 * are left alone and not listed.
 */
public final class Pkcs11KeyManager implements KeyManager {

    private static final Logger log = LoggerFactory.getLogger(Pkcs11KeyManager.class);

    /** Provider names must be unique in the process; the name shows in the provider's own messages. */
    private static final AtomicInteger PROVIDERS = new AtomicInteger();

    private final Provider provider;
    private final KeyStore keyStore;
    private final String token;

    private Pkcs11KeyManager(Provider provider, KeyStore keyStore, String token) {
        this.provider = provider;
        this.keyStore = keyStore;
        this.token = token;
    }

    /**
     * Opens the token the {@code plugins.keyManager.pkcs11} block names and logs in with the PIN from
     * its {@code pinFile} or {@code pinEnv}.
     *
     * @throws InvalidArgumentException naming the key and the problem (missing module, no such token,
     *     unreadable PIN, refused login), never containing the PIN
     */
    public static Pkcs11KeyManager open(PluginConfig config) {
        return open(Pkcs11Settings.from(config, System::getenv));
    }

    /**
     * Reads and checks the block (and its PIN source) without loading the module or opening the token.
     *
     * @throws InvalidArgumentException as {@link #open(PluginConfig)} does for the block itself
     */
    public static void checkConfig(PluginConfig config) {
        Pkcs11Settings.from(config, System::getenv);
    }

    static Pkcs11KeyManager open(Pkcs11Settings settings) {
        long slot = settings.token().slotId(settings.library());
        Provider provider = configure(settings, slot);
        KeyStore keyStore = login(settings, provider);
        log.info(
                "pkcs11 key manager: {} (slot {}) of {}, provider {}",
                settings.token().describe(),
                slot,
                settings.library(),
                provider.getName());
        return new Pkcs11KeyManager(provider, keyStore, settings.token().describe());
    }

    private static Provider configure(Pkcs11Settings settings, long slot) {
        Provider prototype = Security.getProvider("SunPKCS11");
        if (prototype == null) {
            throw new InvalidArgumentException(
                    settings.path() + ": this Java runtime has no SunPKCS11 provider (module jdk.crypto.cryptoki)");
        }
        String name = "meshca-" + PROVIDERS.incrementAndGet();
        try {
            return prototype.configure(SunPkcs11Config.inline(name, settings.library(), slot));
        } catch (ProviderException | IllegalArgumentException e) {
            throw new InvalidArgumentException(
                    settings.path() + ": cannot open " + settings.token().describe() + " with the PKCS#11 module "
                            + settings.library() + ": " + rootReason(e));
        }
    }

    private static KeyStore login(Pkcs11Settings settings, Provider provider) {
        char[] pin = settings.pin().read();
        try {
            KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
            keyStore.load(null, pin);
            return keyStore;
        } catch (IOException e) {
            // The cause chain ends in the module's CKR_ code (CKR_PIN_INCORRECT, CKR_PIN_LOCKED, ...).
            throw new InvalidArgumentException(
                    "PKCS#11 login to " + settings.token().describe() + " failed: " + rootReason(e) + " (the PIN from "
                            + settings.pin().describe() + ")");
        } catch (GeneralSecurityException | ProviderException e) {
            throw new InvalidArgumentException(settings.path() + ": cannot read the keys of "
                    + settings.token().describe() + ": " + rootReason(e));
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    @Override
    public SigningKey generate(String id) {
        return generate(id, KeyType.EC_P256);
    }

    /**
     * Generates the key pair on the token and stores it under {@code id}, destroying the key that had
     * that id: a {@link SigningKey} of the replaced key fails to sign from then on.
     *
     * @throws UncheckedIOException if the token cannot generate or store the key
     */
    @Override
    public SigningKey generate(String id, KeyType type) {
        KeyIds.check(id);
        try {
            KeyPair pair = generator(type).generateKeyPair();
            String algorithm = Keys.signatureAlgorithm(pair.getPrivate());
            X509Certificate placeholder = PlaceholderCertificate.create(id, pair, algorithm, provider);
            synchronized (this) {
                keyStore.setKeyEntry(id, pair.getPrivate(), null, new Certificate[] {placeholder});
            }
            return signingKey(id, pair.getPrivate(), placeholder);
        } catch (GeneralSecurityException | ProviderException e) {
            throw new UncheckedIOException(
                    new IOException("cannot generate key " + id + " (" + type + ") on " + token, e));
        }
    }

    private KeyPairGenerator generator(KeyType type) throws GeneralSecurityException {
        return switch (type) {
            case EC_P256 -> {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
                g.initialize(new ECGenParameterSpec("secp256r1"));
                yield g;
            }
            case RSA_2048 -> {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", provider);
                g.initialize(2048);
                yield g;
            }
        };
    }

    /**
     * Reads under the manager's lock, which {@link #generate} takes to store: a concurrent replacement
     * cannot pair one key's handle with the other key's certificate.
     */
    @Override
    public synchronized Optional<SigningKey> get(String id) {
        KeyIds.check(id);
        try {
            if (!keyStore.isKeyEntry(id)) {
                return Optional.empty();
            }
            Certificate certificate = keyStore.getCertificate(id);
            if (!PlaceholderCertificate.isFor(certificate, id)) {
                return Optional.empty();
            }
            PrivateKey handle = (PrivateKey) keyStore.getKey(id, null);
            return Optional.of(signingKey(id, handle, (X509Certificate) certificate));
        } catch (GeneralSecurityException | ProviderException e) {
            throw new IllegalStateException("cannot read key " + id + " on " + token, e);
        }
    }

    @Override
    public synchronized List<SigningKey> list() {
        List<String> ids;
        try {
            ids = Collections.list(keyStore.aliases());
        } catch (GeneralSecurityException | ProviderException e) {
            throw new IllegalStateException("cannot list the keys on " + token, e);
        }
        List<SigningKey> keys = new ArrayList<>();
        ids.stream().filter(KeyIds::isValid).sorted().forEach(id -> get(id).ifPresent(keys::add));
        return List.copyOf(keys);
    }

    private SigningKey signingKey(String id, PrivateKey handle, X509Certificate placeholder) {
        // One PublicKey class whatever the source (generated now, or read back after a restart).
        return new Pkcs11SigningKey(
                id,
                Keys.parsePublicKey(placeholder.getPublicKey().getEncoded()),
                Keys.signatureAlgorithm(handle),
                handle,
                provider);
    }

    /** The innermost message: SunPKCS11 wraps the module's CKR_ code (or the loader's error) in layers. */
    private static String rootReason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }

    @Override
    public String toString() {
        return "Pkcs11KeyManager[" + token + "]";
    }
}
