package io.meshca.agent.attestation.workload.k8s;

import io.meshca.agent.attestation.workload.k8s.KubeletPods.Pod;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The kubelet's pod list, kept for a short while: every Workload API call of a pod's process is
 * attested, and asking the kubelet each time would put the whole node's pod list on the wire per call.
 * A pod that is not in the kept list may have started since, so a miss asks again ({@link #fresh}).
 *
 * <p>Thread-safety: one lock around the kept list and the request that renews it, so callers that find
 * it stale together cause one request, not one each.
 */
final class CachedPods {

    private final PodSource source;
    private final Clock clock;
    private final Duration ttl;

    private List<Pod> pods;
    private Instant fetchedAt;

    CachedPods(PodSource source, Clock clock, Duration ttl) {
        this.source = Objects.requireNonNull(source, "source");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
    }

    /** The kept list while it is younger than the TTL, else a fresh one. */
    synchronized List<Pod> current() throws IOException {
        if (pods != null && clock.instant().isBefore(fetchedAt.plus(ttl))) {
            return pods;
        }
        return fresh();
    }

    /** A fresh list from the kubelet, kept for the next callers. */
    synchronized List<Pod> fresh() throws IOException {
        Instant now = clock.instant();
        pods = source.pods();
        fetchedAt = now;
        return pods;
    }
}
