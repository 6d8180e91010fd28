package io.meshca.samples.bench;

import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.api.admin.AdminClient;
import io.meshca.server.model.RegistrationEntry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The bench's registrations, made through one replica's admin API as an operator's tooling would: a
 * join token per agent with a node alias ({@code .../node-<i>}), and the entries, entry {@code j}
 * parented to the alias of agent {@code j % agents}, so that they spread evenly. There is no batch
 * create in the admin API, so entries are created by concurrent single calls.
 */
final class SyncRegistry {

    static final String PATH = "/meshca-bench/sync";

    /** Concurrent admin calls: enough to keep the server's database writes busy on a small machine. */
    private static final int WRITERS = 8;

    private static final Duration TOKEN_TTL = Duration.ofHours(2);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    /** Far above any uid this machine assigns, yet valid in an entry: selects no process here. */
    private static final long UNUSED_UIDS = 2_000_000_000L;

    private final AdminClient admin;
    private final int agents;
    private final PrintWriter out;

    SyncRegistry(AdminClient admin, int agents, PrintWriter out) {
        this.admin = admin;
        this.agents = agents;
        this.out = out;
    }

    static SpiffeId alias(int agent) {
        return SpiffeId.parse("spiffe://" + ServerReplica.TRUST_DOMAIN + PATH + "/node-" + agent);
    }

    /** The agent whose alias entry {@code j} of the loaded entries is parented to. */
    int agentOf(int entry) {
        return entry % agents;
    }

    /** How many of {@code entries} loaded entries agent {@code agent} holds. */
    int entriesOf(int agent, int entries) {
        return entries / agents + (agent < entries % agents ? 1 : 0);
    }

    /** One join token per agent, in agent order; each also creates the agent's node alias entry. */
    List<String> joinTokens() throws InterruptedException {
        String[] tokens = new String[agents];
        inParallel("join tokens", agents, i -> tokens[i] = admin.generateJoinToken(TOKEN_TTL, Optional.of(alias(i))));
        return List.of(tokens);
    }

    /** Creates {@code count} entries spread over the agents; returns their ids, entry {@code j} at index {@code j}. */
    String[] loadEntries(int count) throws InterruptedException {
        String[] ids = new String[count];
        inParallel(
                "entries",
                count,
                j -> ids[j] =
                        admin.createEntry(draft(agentOf(j), "entry-" + j, j)).id());
        return ids;
    }

    /** An entry for agent {@code agent} named {@code name}; {@code uidOffset} makes its selector its own. */
    static RegistrationEntry draft(int agent, String name, long uidOffset) {
        SpiffeId workload = SpiffeId.parse(alias(agent) + "/" + name);
        return RegistrationEntry.draft(
                workload, alias(agent), SelectorSet.of(Selector.parse("unix:uid:" + (UNUSED_UIDS + uidOffset))));
    }

    /** Runs {@code call} for 0..count-1 on {@link #WRITERS} threads, with a progress line now and then. */
    private void inParallel(String what, int count, IntFunction<Object> call) throws InterruptedException {
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        long started = System.nanoTime();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                futures.add(writers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        try {
                            call.apply(i);
                        } catch (RuntimeException e) {
                            next.set(count); // the other writers stop too: the run has failed
                            throw e;
                        }
                        done.incrementAndGet();
                    }
                }));
            }
            writers.shutdown();
            while (!writers.awaitTermination(PROGRESS_EVERY.toSeconds(), TimeUnit.SECONDS)) {
                double seconds = (System.nanoTime() - started) / 1e9;
                TaintBench.say(
                        out, "  %s: %d of %d (%.0f/s)", what, done.get(), count, done.get() / Math.max(seconds, 1e-3));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("creating the bench's " + what + " failed: " + e.getCause(), e.getCause());
        } finally {
            writers.shutdownNow();
        }
    }
}
