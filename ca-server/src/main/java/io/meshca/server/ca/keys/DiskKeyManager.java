package io.meshca.server.ca.keys;

import io.meshca.common.pki.Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jce.spec.ECPublicKeySpec;

/**
 * Keys as PKCS#8 DER files, one per id, in a 0700 directory, each file 0600 from its creation (written
 * to a temporary file with those permissions, then moved into place, so a reader never sees a partial
 * or world-readable key).
 */
public final class DiskKeyManager implements KeyManager {

    private static final String SUFFIX = ".pk8";

    private final Path directory;

    public DiskKeyManager(Path directory) {
        this.directory = directory;
        try {
            Files.createDirectories(
                    directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create key directory " + directory, e);
        }
    }

    @Override
    public SigningKey generate(String id) {
        return generate(id, KeyType.EC_P256);
    }

    @Override
    public SigningKey generate(String id, KeyType type) {
        KeyIds.check(id);
        KeyPair pair = type.generate();
        Path target = directory.resolve(id + SUFFIX);
        try {
            Path tmp = Files.createTempFile(
                    directory,
                    ".tmp-",
                    SUFFIX,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, pair.getPrivate().getEncoded(), StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store key " + id, e);
        }
        return new JcaSigningKey(id, pair);
    }

    @Override
    public Optional<SigningKey> get(String id) {
        KeyIds.check(id);
        Path file = directory.resolve(id + SUFFIX);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(load(id, file));
    }

    @Override
    public List<SigningKey> list() {
        List<SigningKey> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (!name.startsWith(".")) {
                    out.add(load(name.substring(0, name.length() - SUFFIX.length()), file));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list keys in " + directory, e);
        }
        out.sort(Comparator.comparing(SigningKey::id));
        return out;
    }

    private static SigningKey load(String id, Path file) {
        try {
            PrivateKey key = Keys.parsePkcs8(Files.readAllBytes(file));
            return new JcaSigningKey(id, new KeyPair(publicKeyOf(key), key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key " + id, e);
        }
    }

    /** PKCS#8 of an EC key holds no public point reliably; derive it from the private scalar. */
    private static PublicKey publicKeyOf(PrivateKey key) {
        if (key instanceof RSAPrivateCrtKey rsa) {
            try {
                return KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot derive the public key", e);
            }
        }
        if (!(key instanceof ECPrivateKey ec)) {
            throw new IllegalStateException("only EC and RSA keys are supported, found " + key.getAlgorithm());
        }
        try {
            var bc = new BouncyCastleProvider();
            var bcKey = (org.bouncycastle.jce.interfaces.ECPrivateKey)
                    KeyFactory.getInstance("EC", bc).generatePrivate(new PKCS8EncodedKeySpec(ec.getEncoded()));
            var params = bcKey.getParameters();
            var q = params.getG().multiply(bcKey.getD()).normalize();
            var spec = new ECPublicKeySpec(q, params);
            PublicKey bcPublic = KeyFactory.getInstance("EC", bc).generatePublic(spec);
            return Keys.parsePublicKey(bcPublic.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the public key", e);
        }
    }
}
