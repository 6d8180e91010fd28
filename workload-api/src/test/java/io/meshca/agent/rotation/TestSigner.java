package io.meshca.agent.rotation;

import io.meshca.agent.cache.SvidCache;
import io.meshca.common.error.ResourceExhaustedException;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.testing.TestPki;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/** Signs CSRs with a TestPki CA for the entries in the cache, the way ca-server would; faults on demand. */
public final class TestSigner implements SvidSigner, AgentSvidRenewer {

    private volatile TestPki.Authority ca;
    private final SvidCache cache;
    private final Clock clock;
    private final Duration ttl;
    public final List<List<Request>> calls = new ArrayList<>();
    public final List<PublicKey> signedKeys = new ArrayList<>();
    public volatile boolean unavailable;
    /** When set, every call is refused as a busy server refuses it, asking for this wait. */
    public volatile Duration busyRetryAfter;

    public volatile Set<String> refusedEntries = Set.of();
    public SpiffeId agentId;
    /** Runs at the start of every sign call, e.g. to let (fake) time pass while the server works. */
    public volatile Runnable duringSign = () -> {};

    public TestSigner(TestPki.Authority ca, SvidCache cache, Clock clock, Duration ttl) {
        this.ca = ca;
        this.cache = cache;
        this.clock = clock;
        this.ttl = ttl;
    }

    /** From now on, signs with {@code authority} (as a server does after a CA rotation). */
    public void signWith(TestPki.Authority authority) {
        this.ca = authority;
    }

    @Override
    public List<Result> sign(List<Request> requests) {
        calls.add(List.copyOf(requests));
        duringSign.run();
        failIfAway();
        List<Result> results = new ArrayList<>();
        for (Request request : requests) {
            var entry = cache.entry(request.entryId());
            if (entry.isEmpty() || refusedEntries.contains(request.entryId())) {
                results.add(Result.failure(request.entryId(), "PERMISSION_DENIED: not authorized (test)"));
                continue;
            }
            results.add(Result.success(
                    request.entryId(),
                    issue(entry.get().spiffeId(), request.csr()).chain()));
        }
        return results;
    }

    @Override
    public List<X509Certificate> renew(byte[] csr) {
        failIfAway();
        return issue(agentId, csr).chain();
    }

    private void failIfAway() {
        if (unavailable) {
            throw new UnavailableException("server down (test)");
        }
        Duration busy = busyRetryAfter;
        if (busy != null) {
            throw new ResourceExhaustedException("signing queue full (test)", busy);
        }
    }

    private TestPki.Leaf issue(SpiffeId id, byte[] csr) {
        try {
            PublicKey key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
            signedKeys.add(key);
            Instant now = clock.instant();
            return ca.issue(
                    new TestPki.Profile(false, id, List.of()),
                    new KeyPair(key, null),
                    now.minusSeconds(10),
                    now.plus(ttl));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
