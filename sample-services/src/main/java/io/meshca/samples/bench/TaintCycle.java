package io.meshca.samples.bench;

import io.meshca.common.pki.KeyIdentifiers;
import io.meshca.server.api.admin.AdminClient;
import io.meshca.server.model.AuthorityStatus;
import io.meshca.server.model.LocalX509Authority;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One rotation, taint and revoke of the server's CA, through its admin API. Measured from the taint call:
 * the agents' deliveries (their {@code workloadSvidsIssued} events for batches that replaced tainted
 * SVIDs), this process's CPU, GC and JIT time, and when each sampled workload received an SVID of the
 * new CA. Then the revoke, checked on the server's bundle and on every sampled workload's.
 */
final class TaintCycle {

    private static final Duration SAMPLE_TIMEOUT = Duration.ofSeconds(30);

    private final AgentFleet fleet;
    private final SampledSvids samples;
    private final AdminClient admin;
    private final Set<String> entries;
    private final Duration timeout;
    private final PrintWriter out;

    /** @param timeout how long to wait for the re-issue before reporting what arrived */
    TaintCycle(
            AgentFleet fleet,
            SampledSvids samples,
            AdminClient admin,
            Set<String> entries,
            Duration timeout,
            PrintWriter out) {
        this.fleet = fleet;
        this.samples = samples;
        this.admin = admin;
        this.entries = entries;
        this.timeout = timeout;
        this.out = out;
    }

    Deliveries run() throws InterruptedException {
        String old = withStatus(AuthorityStatus.ACTIVE)
                .orElseThrow(() -> new IllegalStateException("the server shows no ACTIVE X.509 CA"))
                .authorityId();
        checkAll(samples.await(0, o -> o.issuerId().equals(old), SAMPLE_TIMEOUT), "an SVID of " + old);
        // the CA the schedule prepared, if it did, else a new one
        LocalX509Authority prepared = withStatus(AuthorityStatus.PREPARED).orElseGet(admin::prepareX509Authority);
        String next = admin.activateX509Authority(prepared.authorityId()).authorityId();
        // every agent has the new CA in its bundle before the clock starts
        checkAll(samples.await(0, o -> o.bundleIds().contains(next), SAMPLE_TIMEOUT), "a bundle with " + next);
        TaintBench.say(
                out,
                "rotated: %s is OLD, %s ACTIVE; %d workloads (one per agent) watch their SVID",
                old,
                next,
                samples.size());
        ProcessStats.Snapshot before = ProcessStats.Snapshot.now();
        long taintedAt = System.nanoTime();
        Deliveries reissue = new Deliveries(entries, taintedAt);
        fleet.onIssued(batch -> {
            if (batch.replacedTainted()) {
                reissue.delivered(batch.entryIds());
            }
        });
        admin.taintX509Authority(old);
        boolean complete = reissue.await(timeout);
        ProcessStats.Snapshot after = ProcessStats.Snapshot.now();
        if (!complete) {
            TaintBench.say(
                    out, "only %d of %d SVIDs re-issued within %s", reissue.delivered(), entries.size(), timeout);
        }
        TaintBench.say(
                out,
                "re-issued %d SVIDs: p50=%s ms; meanwhile this process (agents and server): %s; %d us of CPU"
                        + " per SVID",
                reissue.delivered(),
                Latencies.ms(reissue.latencies().percentileMillis(50)),
                after.since(before),
                Math.round((after.cpuNanos() - before.cpuNanos()) / 1e3 / Math.max(1, reissue.delivered())));

        List<Optional<SampledSvids.Observation>> reissued =
                samples.await(taintedAt, o -> o.issuerId().equals(next), SAMPLE_TIMEOUT);
        checkAll(reissued, "an SVID of " + next + " after the taint");
        Latencies perWorkload = new Latencies();
        reissued.forEach(o -> perWorkload.record(o.orElseThrow().atNanos() - taintedAt));
        Latencies sampled = Latencies.merge(List.of(perWorkload));
        TaintBench.say(
                out,
                "Workload API: all %d sampled workloads received an SVID signed by %s; p99=%s ms, last %s ms"
                        + " after the taint",
                samples.size(),
                next,
                Latencies.ms(sampled.percentileMillis(99)),
                Latencies.ms(sampled.percentileMillis(100)));
        revoke(old);
        return reissue;
    }

    /** After the clock: revoking the tainted CA takes it out of the bundle, on the server and at every agent. */
    private void revoke(String old) throws InterruptedException {
        long revokedAt = System.nanoTime();
        admin.revokeX509Authority(old);
        boolean goneFromServer = admin.trustBundle().stream()
                .flatMap(c -> KeyIdentifiers.subjectKeyId(c).stream())
                .noneMatch(old::equals);
        if (!goneFromServer) {
            throw new IllegalStateException("the server's bundle still holds " + old + " after revoke");
        }
        List<Optional<SampledSvids.Observation>> gone =
                samples.await(revokedAt, o -> !o.bundleIds().contains(old), SAMPLE_TIMEOUT);
        checkAll(gone, "a bundle without " + old);
        long last =
                gone.stream().mapToLong(o -> o.orElseThrow().atNanos()).max().orElse(revokedAt);
        TaintBench.say(
                out,
                "revoked %s: gone from the server's bundle, and from all %d sampled workloads' bundles %s ms"
                        + " after the revoke",
                old,
                samples.size(),
                Latencies.ms((last - revokedAt) / 1e6));
    }

    private Optional<LocalX509Authority> withStatus(AuthorityStatus status) {
        return admin.x509Authorities().stream()
                .filter(a -> a.status() == status)
                .findFirst();
    }

    private void checkAll(List<Optional<SampledSvids.Observation>> found, String what) {
        long missing = found.stream().filter(Optional::isEmpty).count();
        if (missing > 0) {
            throw new IllegalStateException(missing + " of " + found.size() + " sampled workloads got no " + what
                    + " within " + SAMPLE_TIMEOUT
                    + samples.failure().map(f -> " (stream failed: " + f + ")").orElse(""));
        }
    }
}
