package io.meshca.samples.bench;

import io.meshca.common.selector.UnixSelectors;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A break-glass taint, timed: agents hold SVIDs signed by the server's CA; the CA is rotated (prepare,
 * activate) so that it is OLD, then tainted, and the clock runs from the taint call until every one of
 * those SVIDs has been re-issued by the new CA and stored in its agent's cache. The agents are the real
 * {@link io.meshca.agent.NodeAgent} in this process; the server is the real one ({@link BenchServer});
 * the bench acts only through the admin API, as an operator would, and learns of re-issues through the
 * agents' events. One workload per agent watches its SVID over the Workload API to check what the events
 * cannot: that the new SVIDs are signed by the new CA.
 */
final class TaintBench {

    private static final String PATH = "/meshca-bench/taint";

    /**
     * uids no process here has: far above any this machine assigns, yet valid in an entry (the agent
     * reads uids up to {@link UnixSelectors#MAX_ID}, so the server refuses larger ones).
     */
    private static final long UNUSED_UIDS = 2_000_000_000L;

    private static final Duration FIRST_ISSUE_TIMEOUT = Duration.ofMinutes(10);
    private static final int REGISTRARS = 4;

    /** What a run measured; {@link #line()} is the bench's last line. */
    record Result(int svids, int agents, int reissued, double p99Millis, double allMillis) {
        String line() {
            return "taint: svids=" + svids + " agents=" + agents + " reissued=" + reissued + " p99="
                    + Latencies.ms(p99Millis) + " all=" + Latencies.ms(allMillis);
        }
    }

    /** One agent's registration: its node alias, join token and entries; the first entry selects this process. */
    private record Registered(int index, String joinToken, List<String> entryIds) {}

    private final BenchServer bench;
    private final int agents;
    private final int svids;
    private final int warmups;
    private final Duration timeout;
    private final long ownUid;
    private final PrintWriter out;

    TaintBench(BenchServer bench, int agents, int svids, int warmups, Duration timeout, long ownUid, PrintWriter out) {
        if (agents < 1 || svids < agents || warmups < 0) {
            throw new IllegalArgumentException(
                    "-agents must be at least 1, -svids at least -agents, -warmup at least 0");
        }
        this.bench = bench;
        this.agents = agents;
        this.svids = svids;
        this.warmups = warmups;
        this.timeout = timeout;
        this.ownUid = ownUid;
        this.out = out;
    }

    Result run() throws IOException, InterruptedException {
        long registering = System.nanoTime();
        List<Registered> registered = register();
        Set<String> allEntries = new HashSet<>();
        registered.forEach(r -> allEntries.addAll(r.entryIds()));
        say("%d entries for %d agents registered in %s", allEntries.size(), agents, seconds(registering));

        try (AgentFleet fleet = new AgentFleet()) {
            long starting = System.nanoTime();
            Deliveries first = new Deliveries(allEntries, starting);
            fleet.onIssued(batch -> first.delivered(batch.entryIds()));
            fleet.start(new AgentFleet.Server(bench.server.agentApiPort(), bench.writeBundle()), members(registered));
            say("%d agents started in %s; waiting for their first SVIDs", fleet.size(), seconds(starting));
            if (!first.await(FIRST_ISSUE_TIMEOUT)) {
                throw new IllegalStateException("only " + first.delivered() + " of " + first.expected()
                        + " SVIDs were issued within " + FIRST_ISSUE_TIMEOUT);
            }
            say(
                    "every agent holds its SVIDs: %d, %s after the first agent started; %d threads, RSS %d MB",
                    first.delivered(), seconds(starting), ProcessStats.threads(), ProcessStats.residentMegabytes());
            try (SampledSvids samples = new SampledSvids(sockets(registered))) {
                TaintCycle cycle = new TaintCycle(fleet, samples, bench.admin, allEntries, timeout, out);
                for (int round = 1; round <= warmups; round++) {
                    Deliveries warm = cycle.run();
                    say(
                            "warm-up %d of %d (not counted): %d re-issued, all=%s ms",
                            round,
                            warmups,
                            warm.delivered(),
                            Latencies.ms(warm.latencies().percentileMillis(100)));
                }
                Deliveries measured = cycle.run();
                Latencies latencies = measured.latencies();
                return new Result(
                        svids,
                        agents,
                        measured.delivered(),
                        latencies.percentileMillis(99),
                        latencies.percentileMillis(100));
            }
        }
    }

    /** Per agent: a join token with a node alias, and its share of the SVIDs as entries parented to that alias. */
    private List<Registered> register() throws InterruptedException {
        ExecutorService registrars = Executors.newFixedThreadPool(REGISTRARS);
        try {
            List<Future<Registered>> futures = new ArrayList<>(agents);
            int from = 0;
            for (int i = 0; i < agents; i++) {
                int count = svids / agents + (i < svids % agents ? 1 : 0);
                int index = i;
                int firstEntry = from;
                futures.add(registrars.submit(() -> register(index, firstEntry, count)));
                from += count;
            }
            List<Registered> registered = new ArrayList<>(agents);
            for (Future<Registered> f : futures) {
                registered.add(f.get());
            }
            return registered;
        } catch (ExecutionException e) {
            throw new IllegalStateException("registering the bench's entries failed: " + e.getCause(), e.getCause());
        } finally {
            registrars.shutdownNow();
        }
    }

    private Registered register(int index, int firstEntry, int count) {
        SpiffeId node = node(index);
        String token = bench.admin.generateJoinToken(Duration.ofHours(1), Optional.of(node));
        List<String> entryIds = new ArrayList<>(count);
        for (int j = 0; j < count; j++) {
            // the agent's first entry selects this process, so that the bench can watch it as a workload
            long uid = j == 0 ? ownUid : UNUSED_UIDS + firstEntry + j;
            SpiffeId workload = SpiffeId.parse(node + "/svid-" + j);
            entryIds.add(bench.admin
                    .createEntry(workload, node, SelectorSet.of(Selector.parse("unix:uid:" + uid)), Duration.ZERO)
                    .id());
        }
        return new Registered(index, token, entryIds);
    }

    private SpiffeId node(int index) {
        return SpiffeId.parse("spiffe://" + bench.server.trustDomain() + PATH + "/node-" + index);
    }

    private List<AgentFleet.Member> members(List<Registered> registered) {
        return registered.stream()
                .map(r -> new AgentFleet.Member(
                        r.joinToken(), socket(r.index()), agentDir(r.index()).resolve("data")))
                .toList();
    }

    private List<Path> sockets(List<Registered> registered) {
        return registered.stream().map(r -> socket(r.index())).toList();
    }

    private Path socket(int index) {
        return agentDir(index).resolve("api.sock");
    }

    private Path agentDir(int index) {
        return bench.dir.resolve("agent-" + index);
    }

    private void say(String format, Object... args) {
        say(out, format, args);
    }

    /** A progress line: {@code bench: } and the formatted text. */
    static void say(PrintWriter out, String format, Object... args) {
        out.println("bench: " + String.format(Locale.ROOT, format, args));
        out.flush();
    }

    private static String seconds(long sinceNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - sinceNanos) / 1e9);
    }
}
