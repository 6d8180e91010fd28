package io.meshca.samples.bench;

import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.server.api.admin.AdminClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Scale-out sync, timed: ca-server replicas (separate processes) share one PostgreSQL database; simulated
 * agents attest spread over them and watch the first replica; the second takes every write. Measured,
 * in this order: create → delivered to the right agent while the other replica takes the writes; one
 * agent reconnecting with its revision after changes to its entries; a cold start of the second replica
 * (stopped, started again with every entry in the database) until it serves a full snapshot. The bench
 * acts only through the servers' external interfaces: the admin API and the agent API.
 */
final class SyncBench {

    /** Agents attest in parallel: a TLS handshake and a signature on the server each. */
    private static final int ATTESTERS = 8;

    /** How many of the reconnecting agent's entries change while it is away (one of them is deleted). */
    private static final int RECONNECT_CHANGES = 10;

    /** What a run measured; {@link #line()} is the bench's last line. */
    record Result(
            int entries,
            int agents,
            int replicas,
            long coldStartMillis,
            long propagationP99Millis,
            long reconnectMillis,
            long serverRssMegabytes,
            boolean complete) {
        String line() {
            return "sync: entries=" + entries + " agents=" + agents + " replicas=" + replicas + " cold_start_ms="
                    + coldStartMillis + " propagation_p99_ms=" + propagationP99Millis + " reconnect_ms="
                    + reconnectMillis + " server_rss_mb=" + serverRssMegabytes;
        }
    }

    /** How many entries to load, and how many to time afterwards at what rate. */
    record Settings(int entries, int agents, int changes, double changesPerSecond, Duration timeout) {}

    private final List<ServerReplica> replicas;
    private final Settings settings;
    private final PrintWriter out;
    private final List<EntryWatch> watches = new ArrayList<>();
    private final AtomicReference<Throwable> broken = new AtomicReference<>();
    private final Set<Integer> synced = ConcurrentHashMap.newKeySet();
    private volatile CountDownLatch inSync = new CountDownLatch(0);
    private volatile Propagation propagation;

    SyncBench(List<ServerReplica> replicas, Settings settings, PrintWriter out) {
        if (replicas.size() < 2) {
            throw new IllegalArgumentException("scale-out needs at least 2 replicas");
        }
        this.replicas = List.copyOf(replicas);
        this.settings = settings;
        this.out = out;
    }

    private ServerReplica watched() {
        return replicas.get(0);
    }

    private ServerReplica writer() {
        return replicas.get(1);
    }

    Result run() throws IOException, InterruptedException {
        AdminClient admin = writer().admin();
        SyncRegistry registry = new SyncRegistry(admin, settings.agents(), out);
        long started = System.nanoTime();
        List<String> tokens = registry.joinTokens();
        say("%d join tokens (with node aliases) created on %s in %s", tokens.size(), writer().name(), since(started));
        started = System.nanoTime();
        String[] entryIds = registry.loadEntries(settings.entries());
        double loadSeconds = (System.nanoTime() - started) / 1e9;
        say(
                "%d entries loaded through %s's admin API in %.1f s (%.0f/s; not a target)",
                entryIds.length, writer().name(), loadSeconds, entryIds.length / Math.max(loadSeconds, 1e-3));

        try {
            List<SimulatedAgent> agents = attest(tokens);
            openWatches(agents, registry);

            propagation = new Propagation();
            Propagation.Result propagated = propagation.run(
                    admin, settings.changes(), settings.changesPerSecond(), agents.size(), settings.timeout());
            propagation = null;
            say(
                    "propagation: %d entries created on %s at %.0f/s, delivered by %s: p50 %s ms, p99 %s ms, max %s"
                            + " ms; %d missing, %d to a wrong agent (create call p50 %s ms)",
                    settings.changes(),
                    writer().name(),
                    settings.changesPerSecond(),
                    watched().name(),
                    Latencies.ms(propagated.delivered().percentileMillis(50)),
                    Latencies.ms(propagated.delivered().percentileMillis(99)),
                    Latencies.ms(propagated.delivered().percentileMillis(100)),
                    propagated.missing(),
                    propagated.misdelivered(),
                    Latencies.ms(propagated.createCalls().percentileMillis(50)));

            Reconnected reconnected = reconnect(agents.get(agents.size() / 2), registry, entryIds, admin);
            long coldStart = coldStart(agents.get(0), watches.get(0).held());
            long rss = peakRssMegabytes();
            boolean complete = propagated.missing() == 0
                    && propagated.misdelivered() == 0
                    && reconnected.received() == reconnected.changed();
            return new Result(
                    settings.entries(),
                    agents.size(),
                    replicas.size(),
                    coldStart,
                    Math.round(propagated.delivered().percentileMillis(99)),
                    reconnected.millis(),
                    rss,
                    complete);
        } finally {
            watches.forEach(EntryWatch::close);
        }
    }

    private List<SimulatedAgent> attest(List<String> tokens) throws InterruptedException {
        List<X509Certificate> anchors = awaitEveryCa();
        long started = System.nanoTime();
        ExecutorService attesters = Executors.newFixedThreadPool(ATTESTERS);
        try {
            List<Future<SimulatedAgent>> futures = new ArrayList<>();
            for (int i = 0; i < tokens.size(); i++) {
                int index = i;
                int port = replicas.get(i % replicas.size()).port();
                futures.add(attesters.submit(() -> SimulatedAgent.attest(index, tokens.get(index), port, anchors)));
            }
            List<SimulatedAgent> agents = new ArrayList<>();
            for (Future<SimulatedAgent> f : futures) {
                agents.add(f.get());
            }
            say("%d agents attested, spread over %d replicas, in %s", agents.size(), replicas.size(), since(started));
            return agents;
        } catch (ExecutionException e) {
            throw new IllegalStateException("an agent did not attest: " + e.getCause(), e.getCause());
        } finally {
            attesters.shutdownNow();
        }
    }

    /**
     * Each replica signs its server SVID (and the agent SVIDs it issues) with its own CA and publishes it in
     * the shared journal, where the others pick it up; until every replica serves one CA per replica, an
     * agent attested by one would be refused by another. Returns all of them: what the agents trust.
     */
    private List<X509Certificate> awaitEveryCa() throws InterruptedException {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        while (true) {
            Set<X509Certificate> all = new LinkedHashSet<>();
            boolean everyReplicaHasAll = true;
            for (ServerReplica replica : replicas) {
                List<X509Certificate> bundle = replica.admin().trustBundle();
                all.addAll(bundle);
                everyReplicaHasAll &= bundle.size() >= replicas.size();
            }
            if (everyReplicaHasAll) {
                return List.copyOf(all);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the replicas do not all serve each other's CA after "
                        + settings.timeout().toSeconds() + " s");
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private void openWatches(List<SimulatedAgent> agents, SyncRegistry registry) throws InterruptedException {
        long started = System.nanoTime();
        inSync = new CountDownLatch(agents.size());
        EntryWatch.Listener listener = new EntryWatch.Listener() {
            @Override
            public void received(EntryWatch watch, WatchAuthorizedResponse message) {
                int index = watch.agent().index();
                if (message.getLastPage()
                        && watch.held() >= registry.entriesOf(index, settings.entries())
                        && synced.add(index)) {
                    inSync.countDown();
                }
                Propagation timing = propagation;
                if (timing != null) {
                    timing.received(watch, message);
                }
            }

            @Override
            public void failed(EntryWatch watch, Throwable error) {
                broken.compareAndSet(null, error);
            }
        };
        for (SimulatedAgent agent : agents) {
            synchronized (watches) {
                watches.add(agent.watch(watched().port(), 0, listener));
            }
        }
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        while (!inSync.await(10, TimeUnit.SECONDS)) {
            if (broken.get() != null) {
                throw new IllegalStateException("a watch broke: " + broken.get(), broken.get());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        synced.size() + " of " + agents.size() + " agents in sync after " + settings.timeout());
            }
            say("  %d of %d agents in sync", synced.size(), agents.size());
        }
        say(
                "%d agents watching %s, all in sync (%d entries held) %s after the first watch opened",
                agents.size(),
                watched().name(),
                watches.stream().mapToInt(EntryWatch::held).sum(),
                since(started));
    }

    /** How long one agent took to catch up after changes while it was away, and what it received for them. */
    private record Reconnected(long millis, int changed, int received) {}

    private Reconnected reconnect(SimulatedAgent agent, SyncRegistry registry, String[] entryIds, AdminClient admin)
            throws InterruptedException {
        EntryWatch old = watches.get(agent.index());
        long revision = old.revision();
        old.close();
        List<String> own = new ArrayList<>();
        for (int j = agent.index(); j < entryIds.length && own.size() < RECONNECT_CHANGES; j += settings.agents()) {
            own.add(entryIds[j]);
        }
        Set<String> changed = new HashSet<>(own);
        for (String id : own.subList(0, own.size() - 1)) {
            admin.updateEntry(admin.getEntry(id).withX509SvidTtl(Duration.ofHours(1)));
        }
        admin.deleteEntry(own.get(own.size() - 1));

        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger received = new AtomicInteger();
        AtomicInteger snapshots = new AtomicInteger();
        CountDownLatch upToDate = new CountDownLatch(1);
        long started = System.nanoTime();
        EntryWatch resumed = agent.watch(watched().port(), revision, new EntryWatch.Listener() {
            @Override
            public void received(EntryWatch watch, WatchAuthorizedResponse message) {
                received.addAndGet(message.getUpsertedCount() + message.getDeletedEntryIdsCount());
                if (message.getFullSnapshot()) {
                    snapshots.incrementAndGet();
                }
                message.getUpsertedList().stream().map(Entry::getId).forEach(seen::add);
                seen.addAll(message.getDeletedEntryIdsList());
                if (message.getLastPage() && seen.containsAll(changed)) {
                    upToDate.countDown();
                }
            }

            @Override
            public void failed(EntryWatch watch, Throwable error) {
                broken.compareAndSet(null, error);
                upToDate.countDown();
            }
        });
        watches.set(agent.index(), resumed);
        if (!upToDate.await(settings.timeout().toMillis(), TimeUnit.MILLISECONDS) || broken.get() != null) {
            throw new IllegalStateException(
                    "the reconnected agent was not up to date: " + (broken.get() != null ? broken.get() : "timeout"));
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        say(
                "reconnect: agent %d resumed at revision %d on %s after %d changes to its entries; up to date in"
                        + " %d ms (new connection, TLS handshake, catch-up); received %d entries%s",
                agent.index(),
                revision,
                watched().name(),
                changed.size(),
                millis,
                received.get(),
                snapshots.get() > 0 ? " as a FULL SNAPSHOT" : " (only what changed)");
        return new Reconnected(millis, changed.size(), received.get());
    }

    /**
     * Stops the writer replica and starts it again on the same database, now holding every entry; timed
     * from the process start until it is healthy and has served an agent its full snapshot.
     */
    private long coldStart(SimulatedAgent agent, int expected) throws IOException, InterruptedException {
        ServerReplica replica = writer();
        replica.stop();
        long started = replica.start();
        replica.awaitServing(settings.timeout());
        long healthy = System.nanoTime();
        CountDownLatch served = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (EntryWatch probe = agent.watch(replica.port(), 0, new EntryWatch.Listener() {
            @Override
            public void received(EntryWatch watch, WatchAuthorizedResponse message) {
                if (message.getLastPage() && watch.held() >= expected) {
                    served.countDown();
                }
            }

            @Override
            public void failed(EntryWatch watch, Throwable error) {
                failure.set(error);
                served.countDown();
            }
        })) {
            if (!served.await(settings.timeout().toMillis(), TimeUnit.MILLISECONDS) || failure.get() != null) {
                throw new IllegalStateException("the restarted replica did not serve a snapshot: "
                        + (failure.get() != null ? failure.get() : "timeout"));
            }
        }
        long done = System.nanoTime();
        long millis = (done - started) / 1_000_000;
        say(
                "cold start: %s (pid %d) with %d entries in the database: healthy after %d ms, first full snapshot"
                        + " (%d entries) served after %d ms",
                replica.name(), replica.pid(), settings.entries(), (healthy - started) / 1_000_000, expected, millis);
        return millis;
    }

    /** The most any replica process has had resident (VmHWM, over all its runs), in MB; says each one's. */
    private long peakRssMegabytes() throws IOException {
        long kb = 0;
        List<String> each = new ArrayList<>();
        for (ServerReplica replica : replicas) {
            long replicaKb = replica.peakResidentKilobytes();
            each.add(replica.name() + " " + Math.round(replicaKb / 1024.0) + " MB");
            kb = Math.max(kb, replicaKb);
        }
        say("server memory, the most resident so far (VmHWM): %s", String.join(", ", each));
        return Math.round(kb / 1024.0);
    }

    private void say(String format, Object... args) {
        TaintBench.say(out, format, args);
    }

    private static String since(long startNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - startNanos) / 1e9);
    }
}
