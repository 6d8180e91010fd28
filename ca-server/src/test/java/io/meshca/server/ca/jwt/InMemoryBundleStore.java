package io.meshca.server.ca.jwt;

import io.meshca.server.ca.BundleStore;
import io.meshca.server.model.StoredAuthority;
import io.meshca.server.model.StoredJwtAuthority;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A BundleStore in memory whose sequence counts changes, as the JDBC one's revisions do. */
final class InMemoryBundleStore implements BundleStore {

    private final List<StoredAuthority> x509 = new CopyOnWriteArrayList<>();
    private final List<StoredJwtAuthority> jwt = new CopyOnWriteArrayList<>();
    private long sequence;

    @Override
    public List<StoredAuthority> authorities() {
        return List.copyOf(x509);
    }

    @Override
    public synchronized void add(StoredAuthority authority) {
        x509.add(authority);
        sequence++;
    }

    @Override
    public List<StoredJwtAuthority> jwtAuthorities() {
        return List.copyOf(jwt);
    }

    @Override
    public synchronized void addJwtAuthority(StoredJwtAuthority authority) {
        jwt.add(authority);
        sequence++;
    }

    @Override
    public synchronized long sequence() {
        return sequence;
    }
}
