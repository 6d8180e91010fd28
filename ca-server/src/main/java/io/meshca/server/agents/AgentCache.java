package io.meshca.server.agents;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.model.Change;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The attested agents in memory: every agent API call checks its caller here, so that it costs no
 * database call and goes on while the database is away. Loaded at start, kept current by {@link #apply}
 * (the change feed), and read through on a miss: an agent attested by another replica a moment ago is
 * found in the database before the feed brings it.
 */
public final class AgentCache {

    private static final int LOAD_PAGE = 10_000;

    private final AgentStore store;
    private final Map<SpiffeId, AgentRecord> agents = new ConcurrentHashMap<>();
    /** Counts applied changes: a read-through that raced one (say an eviction) must not store what it read. */
    private long applied;

    public AgentCache(AgentStore store) {
        this.store = store;
    }

    /** Replaces the contents with every stored agent; returns how many there are. */
    public synchronized int load() {
        agents.clear();
        String after = "";
        while (true) {
            List<AgentRecord> page = store.list(after, LOAD_PAGE);
            page.forEach(a -> agents.put(a.spiffeId(), a));
            if (page.size() < LOAD_PAGE) {
                return agents.size();
            }
            after = page.get(page.size() - 1).spiffeId().toString();
        }
    }

    /** Re-reads the agents these changes name. */
    public void apply(List<Change> changes) {
        Set<String> ids = new LinkedHashSet<>();
        for (Change c : changes) {
            if (c.kind() == Change.Kind.AGENT) {
                ids.add(c.objectId());
            }
        }
        for (String id : ids) {
            refresh(SpiffeId.parse(id));
        }
    }

    /** Re-reads one agent from the database: after this server changed it, and for each change the feed brings. */
    public void refresh(SpiffeId agentId) {
        Optional<AgentRecord> now = store.get(agentId);
        synchronized (this) {
            applied++;
            now.ifPresentOrElse(a -> agents.put(agentId, a), () -> agents.remove(agentId));
        }
    }

    /** The agent, from memory or else from the database (then remembered). */
    public Optional<AgentRecord> get(SpiffeId id) {
        AgentRecord known = agents.get(id);
        if (known != null) {
            return Optional.of(known);
        }
        long before;
        synchronized (this) {
            before = applied;
        }
        Optional<AgentRecord> stored = store.get(id);
        synchronized (this) {
            if (applied == before) {
                stored.ifPresent(a -> agents.put(id, a));
            }
        }
        return stored;
    }

    /** Remembers what this server just wrote, before the feed brings it back. */
    public synchronized void put(AgentRecord agent) {
        agents.put(agent.spiffeId(), agent);
    }

    public int size() {
        return agents.size();
    }
}
