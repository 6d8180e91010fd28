package io.meshca.common.tls;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import java.util.Objects;
import java.util.function.Predicate;

/** Common peer authorization rules for {@link SpiffeTrustManager}. */
public final class SpiffeAuthorizers {

    private SpiffeAuthorizers() {}

    /** Accepts exactly this SPIFFE ID (e.g. the ca-server's own ID, seen from an agent). */
    public static Predicate<SpiffeId> is(SpiffeId expected) {
        Objects.requireNonNull(expected, "expected");
        return expected::equals;
    }

    /** Accepts any SPIFFE ID of the trust domain. */
    public static Predicate<SpiffeId> memberOf(TrustDomain domain) {
        Objects.requireNonNull(domain, "domain");
        return id -> id.memberOf(domain);
    }

    /**
     * Accepts IDs of the trust domain whose path starts with {@code pathPrefix} followed by '/'
     * (e.g. {@code /meshca/agent} accepts every agent ID and nothing else).
     */
    public static Predicate<SpiffeId> pathUnder(TrustDomain domain, String pathPrefix) {
        Objects.requireNonNull(domain, "domain");
        String prefix = pathPrefix.endsWith("/") ? pathPrefix : pathPrefix + "/";
        return id -> id.memberOf(domain) && id.path().startsWith(prefix);
    }
}
