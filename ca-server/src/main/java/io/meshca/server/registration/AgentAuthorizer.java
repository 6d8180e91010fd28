package io.meshca.server.registration;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.model.RegistrationEntry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which entries an agent may serve: those whose parent is the agent itself, or a node alias the agent
 * matches (an entry parented by the server whose selectors are a subset of the agent's). Everything
 * else — in particular every other agent's entries — is invisible to it.
 */
public final class AgentAuthorizer {

    private final SpiffeId serverId;
    private final EntryIndex entries;
    private final Clock clock;
    private final Runnable catchUp;

    public AgentAuthorizer(SpiffeId serverId, EntryIndex entries, Clock clock) {
        this(serverId, entries, clock, () -> {});
    }

    /**
     * {@code catchUp}: brings {@code entries} up to date with the database now. Called when an agent asks
     * for an entry this server does not know for it: with several replicas, the agent's watch on another
     * replica may have delivered an entry this one has not applied yet.
     */
    public AgentAuthorizer(SpiffeId serverId, EntryIndex entries, Clock clock, Runnable catchUp) {
        this.serverId = serverId;
        this.entries = entries;
        this.clock = clock;
        this.catchUp = catchUp;
    }

    public SpiffeId serverId() {
        return serverId;
    }

    /** The IDs an authorized entry's parent may be: the agent's own ID and every alias it matches. */
    public Set<SpiffeId> parentIds(SpiffeId agentId, SelectorSet agentSelectors) {
        Set<SpiffeId> parents = new LinkedHashSet<>();
        parents.add(agentId);
        Instant now = clock.instant();
        for (RegistrationEntry alias : entries.listByParents(List.of(serverId))) {
            if (!alias.isExpiredAt(now) && alias.selectors().isSubsetOf(agentSelectors)) {
                parents.add(alias.spiffeId());
            }
        }
        return parents;
    }

    /** Every unexpired entry the agent is authorized for. */
    public List<RegistrationEntry> authorizedEntries(SpiffeId agentId, SelectorSet agentSelectors) {
        return authorizedEntries(parentIds(agentId, agentSelectors));
    }

    /**
     * The entries the agent is authorized for, by entry id: what a batch of signing or minting requests
     * is checked against (computed once per batch, not once per item).
     */
    public Map<String, RegistrationEntry> authorizedEntriesById(SpiffeId agentId, SelectorSet agentSelectors) {
        Map<String, RegistrationEntry> byId = new HashMap<>();
        for (RegistrationEntry e : authorizedEntries(agentId, agentSelectors)) {
            byId.put(e.id(), e);
        }
        return byId;
    }

    /**
     * As {@link #authorizedEntriesById(SpiffeId, SelectorSet)}, for a batch asking for {@code requested}:
     * if one of them is missing, catches up once and looks again. A missing entry then is one the agent
     * may not have (or that was deleted): refused, as before.
     */
    public Map<String, RegistrationEntry> authorizedEntriesById(
            SpiffeId agentId, SelectorSet agentSelectors, Collection<String> requested) {
        Map<String, RegistrationEntry> byId = authorizedEntriesById(agentId, agentSelectors);
        if (byId.keySet().containsAll(requested)) {
            return byId;
        }
        try {
            catchUp.run();
        } catch (RuntimeException e) {
            return byId; // the database is away: what memory holds is all there is
        }
        return authorizedEntriesById(agentId, agentSelectors);
    }

    public List<RegistrationEntry> authorizedEntries(Set<SpiffeId> parentIds) {
        Instant now = clock.instant();
        List<RegistrationEntry> out = new ArrayList<>();
        for (RegistrationEntry e : entries.listByParents(parentIds)) {
            if (!e.isExpiredAt(now)) {
                out.add(e);
            }
        }
        return out;
    }

    public boolean isAuthorized(RegistrationEntry entry, Set<SpiffeId> parentIds) {
        return parentIds.contains(entry.parentId()) && !entry.isExpiredAt(clock.instant());
    }
}
