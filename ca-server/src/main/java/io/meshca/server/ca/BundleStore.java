package io.meshca.server.ca;

import io.meshca.server.model.StoredAuthority;
import io.meshca.server.model.StoredJwtAuthority;
import io.meshca.server.model.UpstreamRoot;
import java.util.List;

/**
 * The journal of the trust domain's authorities: X.509 CAs and JWT keys in their slots, and the upstream
 * roots. Every write takes one revision (a bundle change), so the bundle's sequence increases and agents
 * and replicas learn of it.
 */
public interface BundleStore {

    /** Every stored X.509 authority, oldest first. */
    List<StoredAuthority> authorities();

    /** Adds an authority. */
    void add(StoredAuthority authority);

    /** Writes the slot and taint of each authority (by key id), in one transaction. */
    void update(List<StoredAuthority> changed);

    /** Deletes an authority (revoked): it leaves the bundle. */
    void remove(String keyId);

    /** Every stored JWT signing key, oldest first. */
    List<StoredJwtAuthority> jwtAuthorities();

    void addJwtAuthority(StoredJwtAuthority authority);

    /** Writes the slot and taint of each JWT key (by key id), in one transaction. */
    void updateJwtAuthorities(List<StoredJwtAuthority> changed);

    void removeJwtAuthority(String keyId);

    /** The upstream roots ever published, revoked ones included. */
    List<UpstreamRoot> upstreamRoots();

    /** Adds or replaces an upstream root (by subject key identifier). */
    void putUpstreamRoot(UpstreamRoot root);

    /** The bundle's sequence number: the revision of its last change (0 if never changed). */
    long sequence();
}
