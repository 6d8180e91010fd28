package io.meshca.agent.identity;

import io.meshca.agent.cache.TrustBundle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's current SVID and trust bundle, shared between the mTLS key/trust managers (which read
 * them at every handshake) and the code that renews them. Replacing the SVID here is all it takes for
 * the next connection to ca-server to present the new one.
 */
public final class AgentCredentials {

    private final AtomicReference<AgentSvid> svid;
    private final AtomicReference<TrustBundle> bundle;

    public AgentCredentials(AgentSvid svid, TrustBundle bundle) {
        this.svid = new AtomicReference<>(Objects.requireNonNull(svid, "svid"));
        this.bundle = new AtomicReference<>(Objects.requireNonNull(bundle, "bundle"));
    }

    public AgentSvid svid() {
        return svid.get();
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
