package io.meshca.server.ca;

import io.meshca.server.model.StoredAuthority;
import io.meshca.server.model.StoredJwtAuthority;
import java.util.List;

/**
 * The trust domain's X.509 authorities. A list, not a single CA, so that prepared and old authorities
 * can sit beside the active one once CA rotation lands.
 */
public interface BundleStore {

    /** Every stored authority, oldest first. */
    List<StoredAuthority> authorities();

    /** Adds an authority; takes a revision (bundle change). */
    void add(StoredAuthority authority);

    /** Every stored JWT signing key, oldest first. */
    List<StoredJwtAuthority> jwtAuthorities();

    /** Adds a JWT signing key; takes a revision (bundle change), so the bundle's sequence increases. */
    void addJwtAuthority(StoredJwtAuthority authority);

    /** The bundle's sequence number: the revision of its last change (0 if never changed). */
    long sequence();
}
