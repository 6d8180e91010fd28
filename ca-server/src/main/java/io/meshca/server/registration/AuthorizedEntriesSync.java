package io.meshca.server.registration;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.model.Change;
import io.meshca.server.model.RegistrationEntry;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Computes what an agent's watch sends: a snapshot of its authorized entries at a revision, then deltas
 * from the change log. A change to a node alias can change which entries the agent is authorized for
 * at all, so it asks for a new snapshot instead of a delta.
 */
public final class AuthorizedEntriesSync {

    private static final int CHANGES_PER_READ = 1000;

    private final AgentAuthorizer authorizer;
    private final EntryIndex entries;
    private final ChangeLog changes;

    /** {@code entries} and {@code changes}: the server's memory and the feed's recent changes, kept in step. */
    public AuthorizedEntriesSync(AgentAuthorizer authorizer, EntryIndex entries, ChangeLog changes) {
        this.authorizer = authorizer;
        this.entries = entries;
        this.changes = changes;
    }

    public record Snapshot(long revision, Set<SpiffeId> parentIds, List<RegistrationEntry> entries) {}

    /**
     * What changed after a revision. {@code resnapshot}: authorization itself changed; {@code agentChanged}:
     * the agent was banned or evicted; {@code more}: the change log had more than one read's worth.
     */
    public record Delta(
            long revision,
            List<RegistrationEntry> upserted,
            List<String> deleted,
            boolean bundleChanged,
            boolean agentChanged,
            boolean resnapshot,
            boolean more,
            Set<String> federatedChanged) {
        public Delta(
                long revision,
                List<RegistrationEntry> upserted,
                List<String> deleted,
                boolean bundleChanged,
                boolean agentChanged,
                boolean resnapshot,
                boolean more) {
            this(revision, upserted, deleted, bundleChanged, agentChanged, resnapshot, more, Set.of());
        }

        public boolean isEmpty() {
            return upserted.isEmpty()
                    && deleted.isEmpty()
                    && !bundleChanged
                    && !agentChanged
                    && !resnapshot
                    && federatedChanged.isEmpty();
        }
    }

    public long currentRevision() {
        return changes.currentRevision();
    }

    /** The parents an agent's authorized entries may have (its ID and the aliases it matches). */
    public Set<SpiffeId> parentIds(SpiffeId agentId, SelectorSet agentSelectors) {
        return authorizer.parentIds(agentId, agentSelectors);
    }

    public Snapshot snapshot(SpiffeId agentId, SelectorSet agentSelectors) {
        // Revision first: a change committed while we read is then sent again as a delta (upserts are idempotent).
        long revision = changes.currentRevision();
        Set<SpiffeId> parents = authorizer.parentIds(agentId, agentSelectors);
        return new Snapshot(revision, parents, authorizer.authorizedEntries(parents));
    }

    public Delta since(long revision, SpiffeId agentId, Set<SpiffeId> parentIds) {
        List<Change> batch = changes.since(revision, CHANGES_PER_READ);
        if (batch.isEmpty()) {
            return new Delta(revision, List.of(), List.of(), false, false, false, false);
        }
        if (Change.unbrokenRun(batch, revision) < batch.size()) {
            // Revisions missing from the log (pruned, or lost): a delta could miss a change; a snapshot cannot.
            long last = batch.get(batch.size() - 1).revision();
            return new Delta(last, List.of(), List.of(), true, true, true, false);
        }
        boolean bundle = false;
        boolean agent = false;
        boolean resnapshot = false;
        Set<String> federated = new LinkedHashSet<>();
        Set<String> touched = new LinkedHashSet<>();
        Set<String> wasOurs = new LinkedHashSet<>();
        for (Change c : batch) {
            switch (c.kind()) {
                case BUNDLE -> bundle = true;
                case FEDERATED_BUNDLE -> federated.add(c.objectId());
                case AGENT -> agent |= c.objectId().equals(agentId.toString());
                case FEDERATION -> {
                    // relationships concern the server's refresher; agents learn of the bundles it fetches
                }
                case ENTRY -> {
                    if (authorizer.serverId().toString().equals(c.parentId())) {
                        resnapshot = true;
                    }
                    touched.add(c.objectId());
                    if (c.parentId() != null
                            && parentIds.stream().anyMatch(p -> p.toString().equals(c.parentId()))) {
                        wasOurs.add(c.objectId());
                    }
                }
            }
        }
        List<RegistrationEntry> upserted = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        if (!resnapshot) {
            for (String id : touched) {
                Optional<RegistrationEntry> now = entries.get(id);
                if (now.isPresent() && authorizer.isAuthorized(now.get(), parentIds)) {
                    upserted.add(now.get());
                } else if (wasOurs.contains(id)) {
                    deleted.add(id);
                }
            }
        }
        long last = batch.get(batch.size() - 1).revision();
        return new Delta(
                last,
                upserted,
                deleted,
                bundle,
                agent,
                resnapshot,
                batch.size() == CHANGES_PER_READ,
                Set.copyOf(federated));
    }
}
