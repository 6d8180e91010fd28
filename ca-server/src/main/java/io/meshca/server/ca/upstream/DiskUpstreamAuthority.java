package io.meshca.server.ca.upstream;

import static io.meshca.server.ca.upstream.UpstreamFiles.BUNDLE_FILE;
import static io.meshca.server.ca.upstream.UpstreamFiles.CERT_FILE;
import static io.meshca.server.ca.upstream.UpstreamFiles.KEY_FILE;

import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.ca.keys.SigningKey;
import io.meshca.server.ca.signing.IntermediateCaFactory;
import io.meshca.server.ca.signing.X509SvidSigner;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code disk} upstream authority: each CA of the trust domain becomes an intermediate under an
 * existing CA (a corporate PKI) whose certificate and key are PEM files.
 *
 * <pre>
 * upstreamAuthority:
 *   disk: { certFile: /etc/meshca/upstream.pem, keyFile: /etc/meshca/upstream.key, bundleFile: /etc/meshca/roots.pem }
 * </pre>
 *
 * <p>The files are read again whenever a CA is minted, and by {@link #x509Roots()} when their
 * modification time or size has changed, so the upstream root can be rotated without a restart: add the
 * new root to {@code bundleFile}, switch {@code certFile} and {@code keyFile} to the CA under it, prepare
 * and activate a new meshca CA, then retire the old root. Files that changed into something unusable (a
 * half-written copy, a key that does not match yet) are refused with a WARN naming the file and the
 * problem, and the last good upstream CA stays in use.
 */
public final class DiskUpstreamAuthority implements UpstreamAuthority {

    private static final Logger log = LoggerFactory.getLogger(DiskUpstreamAuthority.class);

    private final UpstreamFiles files;
    private final Clock clock;
    /** Taken for every look at the files, so that one change is read (and warned about) once. */
    private final Object reloadLock = new Object();
    /** The last good upstream CA; read without the lock, replaced whole under it. */
    private volatile UpstreamCa current;
    /** Guarded by reloadLock: the files as they were when last read, whether they were good or not. */
    private List<FileStamp> lastRead;

    DiskUpstreamAuthority(UpstreamFiles files, Clock clock) {
        this.files = Objects.requireNonNull(files, "files");
        this.clock = Objects.requireNonNull(clock, "clock");
        synchronized (reloadLock) {
            // stamped before reading: a change during the read is seen (and read) next time
            lastRead = FileStamp.of(files.all());
            current = UpstreamCaLoader.load(files, clock.instant());
        }
        log.info(
                "upstream CA loaded: signing CA \"{}\" from {}, roots {}",
                current.subject(),
                files.certFile(),
                current.rootSubjects());
    }

    /**
     * Creates the plugin from its config block; reads and checks the files at once.
     *
     * @throws InvalidArgumentException naming the key (and the file) that is missing, unknown or wrong
     */
    public static DiskUpstreamAuthority create(PluginConfig config, Clock clock) {
        config.allowOnly(CERT_FILE, KEY_FILE, BUNDLE_FILE);
        Path cert = config.path(CERT_FILE)
                .orElseThrow(() -> required(config, CERT_FILE, "the PEM certificate of the upstream CA that signs"));
        Path key = config.path(KEY_FILE)
                .orElseThrow(() -> required(config, KEY_FILE, "the PEM private key of that upstream CA"));
        Path bundle = config.path(BUNDLE_FILE).orElse(null);
        return new DiskUpstreamAuthority(new UpstreamFiles(config.path(), cert, key, bundle), clock);
    }

    private static InvalidArgumentException required(PluginConfig config, String key, String what) {
        return new InvalidArgumentException(config.path() + "." + key + " is required: " + what);
    }

    @Override
    public MintedX509Ca mintX509Ca(TrustDomain trustDomain, SigningKey key, Duration ttl) {
        Objects.requireNonNull(trustDomain, "trustDomain");
        Objects.requireNonNull(key, "key");
        if (ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("CA TTL must be positive, got " + ttl);
        }
        // Always read again: minting is rare, and it is the step of a rotation that must see the new files.
        UpstreamCa upstream = reload(true);
        X509Certificate signing = upstream.signingCertificate();
        Instant now = clock.instant();
        if (!now.isBefore(upstream.notAfter())) {
            throw new FailedPreconditionException("the upstream CA chain of \"" + upstream.subject() + "\" expired at "
                    + upstream.notAfter() + ": put a valid CA in " + files.describe(CERT_FILE) + " and "
                    + files.describe(KEY_FILE));
        }
        Instant notAfter = now.plus(ttl);
        if (notAfter.isAfter(upstream.notAfter())) {
            log.warn(
                    "CA lifetime capped by the upstream chain: asked until {}, issued until {} (upstream CA \"{}\"); "
                            + "renew the upstream CA to restore the full TTL",
                    notAfter,
                    upstream.notAfter(),
                    upstream.subject());
            notAfter = upstream.notAfter();
        }
        Instant notBefore = now.minus(X509SvidSigner.BACKDATE);
        Instant upstreamNotBefore = signing.getNotBefore().toInstant();
        if (notBefore.isBefore(upstreamNotBefore)) {
            notBefore = upstreamNotBefore; // a CA valid before its issuer was would confuse path checkers
        }
        X509Certificate ca = IntermediateCaFactory.issue(
                trustDomain, key.publicKey(), signing, upstream.signingKey(), notBefore, notAfter);
        log.info(
                "CA minted: key {}, serial {}, until {}, under upstream CA \"{}\"",
                key.id(),
                ca.getSerialNumber().toString(16),
                notAfter,
                upstream.subject());
        return new MintedX509Ca(ca, upstream.upstreamChain());
    }

    /**
     * The roots from {@code bundleFile}, or the root at the end of {@code certFile}'s chain when there is
     * no bundle file; reads the files again only if one of them has changed.
     */
    @Override
    public List<X509Certificate> x509Roots() {
        return reload(false).roots();
    }

    private UpstreamCa reload(boolean evenIfUnchanged) {
        synchronized (reloadLock) {
            List<FileStamp> stamps = FileStamp.of(files.all());
            if (!evenIfUnchanged && stamps.equals(lastRead)) {
                return current;
            }
            lastRead = stamps;
            UpstreamCa previous = current;
            try {
                current = UpstreamCaLoader.load(files, clock.instant());
            } catch (InvalidArgumentException e) {
                log.warn(
                        "upstream CA files cannot be used; keeping the last good upstream CA \"{}\": {}",
                        previous.subject(),
                        e.getMessage());
                return previous;
            }
            if (!sameMaterial(previous, current)) {
                log.info("upstream CA changed: signing CA \"{}\", roots {}", current.subject(), current.rootSubjects());
            }
            return current;
        }
    }

    private static boolean sameMaterial(UpstreamCa a, UpstreamCa b) {
        return a.signingCertificate().equals(b.signingCertificate())
                && a.upstreamChain().equals(b.upstreamChain())
                && a.roots().equals(b.roots());
    }

    @Override
    public String toString() {
        return "DiskUpstreamAuthority[" + files.certFile() + ", " + current + "]";
    }
}
