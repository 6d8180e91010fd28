package io.meshca.agent.storage;

import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.identity.AgentSvid;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.files.TextFiles;
import io.meshca.common.pki.Keys;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.TrustDomain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Optional;
import java.util.Set;

/**
 * Persists the agent's own SVID chain, its private key and the trust bundle in the data dir, so that
 * a restarted agent reconnects without a new join token. Files are 0600 in a 0700 directory and are
 * written to a temporary file first, then moved into place, so a crash never leaves half a key.
 * Workload keys are never stored: only the agent's.
 */
public final class AgentSvidStore {

    public static final String SVID_FILE = "agent_svid.pem";
    public static final String KEY_FILE = "agent_svid.key";
    public static final String BUNDLE_FILE = "bundle.pem";

    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

    private final Path dir;
    private final TrustDomain trustDomain;

    public AgentSvidStore(Path dir, TrustDomain trustDomain) {
        this.dir = dir.toAbsolutePath();
        this.trustDomain = trustDomain;
    }

    public Path dir() {
        return dir;
    }

    /** What a previous run stored. */
    public record Stored(AgentSvid svid, TrustBundle bundle) {}

    /**
     * The stored SVID and bundle, or empty if nothing (or only part of it) was stored.
     *
     * @throws InvalidArgumentException if the files exist but cannot be read as PEM
     */
    public Optional<Stored> load() {
        Path svidFile = dir.resolve(SVID_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        Path bundleFile = dir.resolve(BUNDLE_FILE);
        if (!Files.exists(svidFile) || !Files.exists(keyFile) || !Files.exists(bundleFile)) {
            return Optional.empty();
        }
        try {
            AgentSvid svid = new AgentSvid(
                    Pem.decodeCertificates(TextFiles.readPem(svidFile, SVID_FILE)),
                    Pem.decodePrivateKey(TextFiles.readPem(keyFile, KEY_FILE)));
            if (!keyMatchesLeaf(svid)) {
                throw new InvalidArgumentException(
                        "the key in " + KEY_FILE + " does not belong to the certificate in " + SVID_FILE);
            }
            TrustBundle bundle =
                    new TrustBundle(trustDomain, Pem.decodeCertificates(TextFiles.readPem(bundleFile, BUNDLE_FILE)), 0);
            return Optional.of(new Stored(svid, bundle));
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException("the stored agent SVID in " + dir + " is unreadable (" + e.getMessage()
                    + "); attest again with a new join token and -rebootstrap, which replaces it");
        }
    }

    /** True if the private key signs what the leaf's public key verifies. */
    private static boolean keyMatchesLeaf(AgentSvid svid) {
        try {
            byte[] probe = "meshca agent key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(Keys.signatureAlgorithm(svid.privateKey()));
            signer.initSign(svid.privateKey());
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(Keys.signatureAlgorithm(svid.privateKey()));
            verifier.initVerify(svid.leaf().getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Stores the SVID, its key and the bundle, replacing what was there (after attestation). */
    public synchronized void save(AgentSvid svid, TrustBundle bundle) {
        saveSvid(svid);
        saveBundle(bundle);
    }

    /**
     * Stores a renewed SVID and its key. Writers are serialized, so a renewal and a bundle update
     * running at the same time never interleave their files.
     */
    public synchronized void saveSvid(AgentSvid svid) {
        ensureDir();
        // Two files cannot be replaced atomically together: if the agent dies between the two moves,
        // the next start finds a key that does not match the chain and asks for a new join token.
        write(KEY_FILE, Pem.encodePrivateKey(svid.privateKey()));
        write(SVID_FILE, Pem.encodeCertificates(svid.chain()));
    }

    /** Stores the trust bundle the watch delivered. */
    public synchronized void saveBundle(TrustBundle bundle) {
        ensureDir();
        write(BUNDLE_FILE, Pem.encodeCertificates(bundle.x509Authorities()));
    }

    private void ensureDir() {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
            }
            Files.setPosixFilePermissions(dir, DIR_MODE);
        } catch (FileAlreadyExistsException e) {
            throw new InvalidArgumentException("data dir " + dir + " exists and is not a directory");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data dir " + dir, e);
        }
    }

    private void write(String name, String content) {
        Path target = dir.resolve(name);
        Path temp = dir.resolve(name + ".tmp");
        try {
            Files.deleteIfExists(temp);
            try (FileChannel channel = FileChannel.open(
                    temp,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(FILE_MODE))) {
                channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII)));
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }
}
