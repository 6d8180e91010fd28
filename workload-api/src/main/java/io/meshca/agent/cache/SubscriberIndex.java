package io.meshca.agent.cache;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.TrustDomain;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is subscribed to what, indexed so that a change reaches only the workloads it concerns.
 * Workloads with equal selectors share one {@link Group} (their snapshot is computed once); each group
 * remembers which entries it matches, and {@code byEntry} maps an entry to the groups that match it,
 * so a rotated SVID costs one map lookup, not a scan of every subscriber.
 *
 * <p>Not thread-safe: {@link SvidCache} calls it only while holding its lock, which is also what
 * serializes listener calls.
 */
final class SubscriberIndex {

    private static final Logger log = LoggerFactory.getLogger(SubscriberIndex.class);

    private final Map<SelectorSet, Group> groups = new HashMap<>();
    private final Map<String, Set<Group>> byEntry = new HashMap<>();

    /** Adds a subscriber and delivers the current snapshot to it at once. */
    Group add(SelectorSet selectors, Consumer<X509Snapshot> listener, CacheState state) {
        Group group = groups.get(selectors);
        if (group == null) {
            group = new Group(selectors);
            groups.put(selectors, group);
            for (String id : state.matchingEntryIds(selectors)) {
                group.matched.add(id);
                byEntry.computeIfAbsent(id, k -> new HashSet<>()).add(group);
            }
            group.last = state.snapshotFor(group.matched);
        }
        group.listeners.add(listener);
        deliver(listener, group.last);
        return group;
    }

    void remove(Group group, Consumer<X509Snapshot> listener) {
        group.listeners.remove(listener);
        if (group.listeners.isEmpty() && groups.get(group.selectors) == group) {
            groups.remove(group.selectors);
            for (String id : group.matched) {
                Set<Group> matching = byEntry.get(id);
                if (matching != null) {
                    matching.remove(group);
                    if (matching.isEmpty()) {
                        byEntry.remove(id);
                    }
                }
            }
        }
    }

    /**
     * Re-evaluates what changed and notifies the affected groups whose snapshot differs.
     *
     * @param changedEntries entries added, changed or deleted: their matching is recomputed against
     *     every group (a cheap subset check each)
     * @param changedSvids entries whose SVID alone changed: only the groups that match them
     * @param bundleChanged the own bundle changed: every workload is notified
     * @param changedFederated federated trust domains whose bundle changed
     * @return the number of groups notified (for tests and logs)
     */
    int changed(CacheState state, Collection<String> changedEntries, Collection<String> changedSvids,
            boolean bundleChanged, Set<TrustDomain> changedFederated) {
        Set<Group> affected = new LinkedHashSet<>();
        if (bundleChanged) {
            affected.addAll(groups.values());
        }
        for (String id : changedEntries) {
            AuthorizedEntry entry = state.entries().get(id);
            for (Group group : groups.values()) {
                boolean matches = entry != null && entry.selectors().isSubsetOf(group.selectors);
                boolean matched = group.matched.contains(id);
                if (matches && !matched) {
                    group.matched.add(id);
                    byEntry.computeIfAbsent(id, k -> new HashSet<>()).add(group);
                } else if (!matches && matched) {
                    group.matched.remove(id);
                    Set<Group> matching = byEntry.get(id);
                    matching.remove(group);
                    if (matching.isEmpty()) {
                        byEntry.remove(id);
                    }
                }
                if (matches || matched) {
                    affected.add(group);
                }
            }
        }
        for (String id : changedSvids) {
            affected.addAll(byEntry.getOrDefault(id, Set.of()));
        }
        if (!changedFederated.isEmpty()) {
            for (Group group : groups.values()) {
                for (String id : group.matched) {
                    AuthorizedEntry entry = state.entries().get(id);
                    if (entry != null && entry.federatesWith().stream().anyMatch(changedFederated::contains)) {
                        affected.add(group);
                        break;
                    }
                }
            }
        }
        int notified = 0;
        for (Group group : affected) {
            X509Snapshot next = state.snapshotFor(group.matched);
            if (next.equals(group.last)) {
                continue;
            }
            group.last = next;
            notified++;
            for (Consumer<X509Snapshot> listener : group.listeners) {
                deliver(listener, next);
            }
        }
        return notified;
    }

    int groupCount() {
        return groups.size();
    }

    private static void deliver(Consumer<X509Snapshot> listener, X509Snapshot snapshot) {
        try {
            listener.accept(snapshot);
        } catch (RuntimeException e) {
            // one faulty listener must not stop the others or the cache
            log.warn("a Workload API subscriber failed to take an update", e);
        }
    }

    /** The subscribers that share one selector set, and what they currently see. */
    static final class Group {
        final SelectorSet selectors;
        final Set<String> matched = new HashSet<>();
        final List<Consumer<X509Snapshot>> listeners = new CopyOnWriteArrayList<>();
        X509Snapshot last;

        Group(SelectorSet selectors) {
            this.selectors = selectors;
        }
    }
}
