package io.meshca.server.ca.jwt;

import io.meshca.server.ca.BundleStore;
import io.meshca.server.model.StoredAuthority;
import io.meshca.server.model.StoredJwtAuthority;
import io.meshca.server.model.UpstreamRoot;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A BundleStore in memory whose sequence counts changes, as the JDBC one's revisions do. */
final class InMemoryBundleStore implements BundleStore {

    private final List<StoredAuthority> x509 = new ArrayList<>();
    private final List<StoredJwtAuthority> jwt = new ArrayList<>();
    private final List<UpstreamRoot> roots = new ArrayList<>();
    private long sequence;

    @Override
    public synchronized List<StoredAuthority> authorities() {
        return List.copyOf(x509);
    }

    @Override
    public synchronized void add(StoredAuthority authority) {
        x509.add(authority);
        sequence++;
    }

    @Override
    public synchronized void update(List<StoredAuthority> changed) {
        for (StoredAuthority a : changed) {
            x509.replaceAll(old -> old.keyId().equals(a.keyId()) ? a : old);
        }
        sequence++;
    }

    @Override
    public synchronized void remove(String keyId) {
        x509.removeIf(a -> a.keyId().equals(keyId));
        sequence++;
    }

    @Override
    public synchronized List<StoredJwtAuthority> jwtAuthorities() {
        return List.copyOf(jwt);
    }

    @Override
    public synchronized void addJwtAuthority(StoredJwtAuthority authority) {
        jwt.add(authority);
        sequence++;
    }

    @Override
    public synchronized void updateJwtAuthorities(List<StoredJwtAuthority> changed) {
        for (StoredJwtAuthority a : changed) {
            jwt.replaceAll(old -> old.keyId().equals(a.keyId()) ? a : old);
        }
        sequence++;
    }

    @Override
    public synchronized void removeJwtAuthority(String keyId) {
        jwt.removeIf(a -> a.keyId().equals(keyId));
        sequence++;
    }

    @Override
    public synchronized List<UpstreamRoot> upstreamRoots() {
        return List.copyOf(roots);
    }

    @Override
    public synchronized void putUpstreamRoot(UpstreamRoot root) {
        Predicate<UpstreamRoot> same = r -> r.subjectKeyId().equals(root.subjectKeyId());
        if (roots.stream().anyMatch(same)) {
            roots.replaceAll(r -> same.test(r) ? root : r);
        } else {
            roots.add(root);
        }
        sequence++;
    }

    @Override
    public synchronized long sequence() {
        return sequence;
    }
}
