package io.meshca.server;

import io.meshca.common.config.Durations;
import io.meshca.server.agents.AgentCache;
import io.meshca.server.changes.ChangeFeed;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.registration.EntryCache;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entries and agents a server serves from, loaded at start, and the change feed that keeps them
 * (and whatever else the server registers) current with the database, its own writes and other
 * replicas' alike; with the hourly pruning of the change log. Part of the composition root.
 */
final class ServerMemory implements AutoCloseable {

    /**
     * How long changes stay in the change log. An agent that reconnects with an older revision, or a
     * replica whose feed fell further behind (a database away for a week), gets a snapshot or reloads
     * instead of a delta; the feed's ring in memory serves the recent changes either way.
     */
    static final Duration CHANGE_LOG_RETENTION = Duration.ofDays(7);

    static final Duration CHANGE_LOG_PRUNE_INTERVAL = Duration.ofHours(1);

    private static final Logger log = LoggerFactory.getLogger(ServerMemory.class);

    private final DataStore dataStore;
    private final EntryCache entries;
    private final AgentCache agents;
    private final long loadedRevision;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

    private ServerMemory(DataStore dataStore, EntryCache entries, AgentCache agents, long loadedRevision) {
        this.dataStore = dataStore;
        this.entries = entries;
        this.agents = agents;
        this.loadedRevision = loadedRevision;
    }

    /** Reads every entry and agent, by pages of their tables. */
    static ServerMemory load(DataStore dataStore) {
        // The revision before the load: changes committed while loading are applied again by the feed.
        long revision = dataStore.changes().currentRevision();
        EntryCache entries = new EntryCache(dataStore.entries());
        AgentCache agents = new AgentCache(dataStore.agents());
        long start = System.nanoTime();
        int entryCount = entries.load();
        int agentCount = agents.load();
        log.info(
                "loaded {} entries and {} agents at revision {} in {} ms",
                entryCount,
                agentCount,
                revision,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return new ServerMemory(dataStore, entries, agents, revision);
    }

    EntryCache entries() {
        return entries;
    }

    AgentCache agents() {
        return agents;
    }

    /**
     * Starts the change feed from the revision of the load, with the entries' and agents' stages before
     * {@code moreStages}; it wakes on this server's commits, other replicas' notifications, the datastore's
     * return and every {@code safetyPoll}. Schedules the pruning of the change log on {@code scheduler}.
     */
    ChangeFeed follow(
            List<ChangeFeed.Stage> moreStages, Duration safetyPoll, ScheduledExecutorService scheduler, Clock clock) {
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshca-change-feed");
            t.setDaemon(true);
            return t;
        });
        closeables.push(() -> {
            thread.shutdownNow();
            thread.awaitTermination(5, TimeUnit.SECONDS);
        });
        List<ChangeFeed.Stage> stages = new ArrayList<>();
        stages.add(ChangeFeed.Stage.of(entries::apply, entries::load));
        stages.add(ChangeFeed.Stage.of(agents::apply, agents::load));
        stages.addAll(moreStages);
        ChangeFeed feed = new ChangeFeed(dataStore.changes(), stages, thread, System::nanoTime);
        closeables.push(feed);
        feed.start(loadedRevision, safetyPoll);
        closeables.push(dataStore.notifier().subscribe(revision -> feed.wake()));
        closeables.push(dataStore.listenForOtherServers(feed::wake));
        dataStore.status().addListener(available -> {
            if (available) {
                feed.wake(); // catch up on what other replicas wrote meanwhile, without waiting for a retry
            }
        });
        scheduler.scheduleWithFixedDelay(
                () -> pruneChangeLog(clock.instant().minus(CHANGE_LOG_RETENTION)),
                0,
                CHANGE_LOG_PRUNE_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        return feed;
    }

    private void pruneChangeLog(Instant cutoff) {
        try {
            int pruned = dataStore.pruneChanges(cutoff);
            if (pruned > 0) {
                log.info("pruned {} changes recorded before {} from the change log", pruned, cutoff);
            }
        } catch (RuntimeException e) {
            log.warn(
                    "cannot prune the change log now ({}); trying again in {}",
                    e.getMessage(),
                    Durations.format(CHANGE_LOG_PRUNE_INTERVAL));
        }
    }

    @Override
    public void close() throws Exception {
        while (!closeables.isEmpty()) {
            closeables.pop().close();
        }
    }
}
