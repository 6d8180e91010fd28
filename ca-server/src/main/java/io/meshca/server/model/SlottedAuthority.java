package io.meshca.server.model;

import java.time.Instant;

/** What the slot journal keeps of any authority, X.509 CA or JWT key. */
public interface SlottedAuthority {

    /** The KeyManager id of its private key. */
    String keyId();

    /** The ID operators name it by: an X.509 CA's subject key identifier in hex, a JWT key's kid. */
    String authorityId();

    AuthorityStatus status();

    boolean tainted();

    Instant notAfter();
}
