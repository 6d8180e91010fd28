package io.meshca.server.ca;

import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.NotFoundException;
import io.meshca.common.pki.KeyIdentifiers;
import io.meshca.server.ca.upstream.UpstreamAuthority;
import io.meshca.server.model.StoredAuthority;
import io.meshca.server.model.UpstreamRoot;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream authority's roots in the bundle (SPIRE's {@code upstreamauthority}): a root the upstream
 * lists is published at once (root rotation starts by adding the new root to the upstream's bundle); an
 * operator taints the old root once no CA of this server chains to it any more, and revokes it when the
 * agents have re-issued. A revoked root stays out of the bundle even while the upstream still lists it.
 */
public final class UpstreamRoots {

    private static final Logger log = LoggerFactory.getLogger(UpstreamRoots.class);

    private final UpstreamAuthority upstream;
    private final BundleStore store;
    private final X509CaSlots slots;
    private final Runnable onChange;
    private final Set<String> known = new HashSet<>();

    public UpstreamRoots(UpstreamAuthority upstream, BundleStore store, X509CaSlots slots, Runnable onChange) {
        this.upstream = upstream;
        this.store = store;
        this.slots = slots;
        this.onChange = onChange;
    }

    /** Publishes the roots the upstream lists that the journal does not have yet. */
    public synchronized void sync() {
        List<X509Certificate> listed = upstream.x509Roots();
        if (listed.isEmpty()) {
            return;
        }
        if (known.isEmpty()) {
            store.upstreamRoots().forEach(r -> known.add(r.subjectKeyId()));
        }
        boolean changed = false;
        for (X509Certificate root : listed) {
            String id = KeyIdentifiers.authorityId(root);
            if (known.add(id)) {
                store.putUpstreamRoot(new UpstreamRoot(root, false, false));
                log.info("published upstream root {} ({}) in the bundle", id, root.getSubjectX500Principal());
                changed = true;
            }
        }
        if (changed) {
            onChange.run();
        }
    }

    /**
     * Taints an upstream root: agents re-issue every SVID chained to it.
     *
     * @throws FailedPreconditionException if the active or prepared CA still chains to it, or it is tainted
     */
    public synchronized UpstreamRoot taint(String subjectKeyId) {
        UpstreamRoot root = find(subjectKeyId);
        checkNotSigning(subjectKeyId, slots.activeStored(), "active");
        slots.preparedStored().ifPresent(p -> checkNotSigning(subjectKeyId, p, "prepared"));
        if (root.tainted()) {
            throw new FailedPreconditionException("upstream authority " + subjectKeyId + " is already tainted");
        }
        UpstreamRoot tainted = root.asTainted();
        store.putUpstreamRoot(tainted);
        log.warn("tainted upstream authority {}: agents re-issue every SVID chained to it", subjectKeyId);
        onChange.run();
        return tainted;
    }

    /**
     * Removes a tainted upstream root from the bundle for good.
     *
     * @throws FailedPreconditionException if it is not tainted
     */
    public synchronized UpstreamRoot revoke(String subjectKeyId) {
        UpstreamRoot root = find(subjectKeyId);
        if (!root.tainted()) {
            throw new FailedPreconditionException("only a tainted upstream authority can be revoked: " + subjectKeyId
                    + " is not tainted; taint it first so that every SVID chained to it is re-issued");
        }
        UpstreamRoot revoked = root.asRevoked();
        store.putUpstreamRoot(revoked);
        log.warn("revoked upstream authority {}: removed from the bundle", subjectKeyId);
        onChange.run();
        return revoked;
    }

    /** The subject key identifier of the root an authority chains to (its own for a self-signed root). */
    static Optional<String> rootIdOf(StoredAuthority authority) {
        List<X509Certificate> chain = authority.upstreamChain();
        X509Certificate top = chain.isEmpty() ? authority.certificate() : chain.get(chain.size() - 1);
        if (top.getSubjectX500Principal().equals(top.getIssuerX500Principal())) {
            return Optional.of(KeyIdentifiers.authorityId(top));
        }
        return KeyIdentifiers.authorityKeyId(top);
    }

    private static void checkNotSigning(String subjectKeyId, StoredAuthority authority, String slot) {
        if (rootIdOf(authority).filter(subjectKeyId::equals).isPresent()) {
            throw new FailedPreconditionException("upstream authority " + subjectKeyId + " still signs the " + slot
                    + " X.509 authority " + authority.authorityId() + "; switch the upstream's signing certificate,"
                    + " prepare and activate a new authority first");
        }
    }

    private UpstreamRoot find(String subjectKeyId) {
        for (UpstreamRoot r : store.upstreamRoots()) {
            if (r.subjectKeyId().equals(subjectKeyId) && !r.revoked()) {
                return r;
            }
        }
        throw new NotFoundException("no upstream authority " + subjectKeyId + " in the bundle");
    }
}
