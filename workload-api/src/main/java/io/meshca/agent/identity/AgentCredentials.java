package io.meshca.agent.identity;

import io.meshca.agent.cache.TrustBundle;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's current SVID and trust bundle, shared between the mTLS key/trust managers (which read
 * them at every handshake) and the code that renews them. Replacing the SVID here is all it takes for
 * the next connection to ca-server to present the new one; once it expired it is presented no more
 * ({@link #validSvid}).
 */
public final class AgentCredentials {

    private final AtomicReference<AgentSvid> svid;
    private final AtomicReference<TrustBundle> bundle;
    private final Clock clock;

    public AgentCredentials(AgentSvid svid, TrustBundle bundle, Clock clock) {
        this.svid = new AtomicReference<>(Objects.requireNonNull(svid, "svid"));
        this.bundle = new AtomicReference<>(Objects.requireNonNull(bundle, "bundle"));
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** On the system clock. */
    public AgentCredentials(AgentSvid svid, TrustBundle bundle) {
        this(svid, bundle, Clock.systemUTC());
    }

    /** The SVID last obtained, even if it expired: for renewal decisions and logs, not to present. */
    public AgentSvid svid() {
        return svid.get();
    }

    /** The SVID if it is still valid now: what the agent may present; empty once it expired. */
    public Optional<AgentSvid> validSvid() {
        AgentSvid current = svid.get();
        return current.isExpiredAt(clock.instant()) ? Optional.empty() : Optional.of(current);
    }

    public TrustBundle bundle() {
        return bundle.get();
    }

    public void updateSvid(AgentSvid next) {
        svid.set(Objects.requireNonNull(next, "next"));
    }

    public void updateBundle(TrustBundle next) {
        bundle.set(Objects.requireNonNull(next, "next"));
    }
}
