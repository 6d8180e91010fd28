package io.meshca.server.model;

/**
 * The slot an authority of this server is in (SPIRE's names). PREPARED: published in the bundle, not
 * signing yet. ACTIVE: signs. OLD: no longer signs, stays in the bundle until what it signed expired.
 */
public enum AuthorityStatus {
    PREPARED,
    ACTIVE,
    OLD
}
