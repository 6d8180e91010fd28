package io.meshca.samples.tls;

import io.spiffe.provider.SpiffeIdVerifier;
import io.spiffe.provider.SpiffeVerificationException;
import io.spiffe.spiffeid.SpiffeId;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which SPIFFE IDs may be on the other end of a connection. Runs inside the TLS handshake, after
 * java-spiffe has verified the peer's chain against the trust bundle, so a refused peer never gets
 * to send a single request.
 */
public final class PeerPolicy implements SpiffeIdVerifier {

    private final String self;
    private final Set<SpiffeId> allowed;

    /**
     * @param self    who applies the policy, for the refusal message (e.g. "payments")
     * @param allowed the SPIFFE IDs accepted as peer; never empty
     */
    public PeerPolicy(String self, Set<SpiffeId> allowed) {
        this.self = Objects.requireNonNull(self, "self");
        this.allowed = Set.copyOf(allowed);
        if (this.allowed.isEmpty()) {
            throw new IllegalArgumentException("a peer policy needs at least one allowed SPIFFE ID");
        }
    }

    public static PeerPolicy only(String self, SpiffeId peer) {
        return new PeerPolicy(self, Set.of(peer));
    }

    @Override
    public void verify(SpiffeId peer, X509Certificate[] chain) throws SpiffeVerificationException {
        if (!allowed.contains(peer)) {
            throw new SpiffeVerificationException(refusalMessage(peer));
        }
    }

    /** The message of a refusal; tests and the demo's readers match on it. */
    public String refusalMessage(SpiffeId peer) {
        return self + " refuses peer " + peer + ": only " + String.join(", ", allowedSorted()) + " may connect";
    }

    public Set<SpiffeId> allowed() {
        return allowed;
    }

    private Set<String> allowedSorted() {
        Set<String> out = new TreeSet<>();
        allowed.forEach(id -> out.add(id.toString()));
        return out;
    }
}
