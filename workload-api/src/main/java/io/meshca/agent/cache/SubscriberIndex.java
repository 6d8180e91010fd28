package io.meshca.agent.cache;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.TrustDomain;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who is subscribed to what, indexed so that a change reaches only the workloads it concerns.
 * Workloads with equal selectors share one {@link Group} (their snapshot is computed once); each group
 * remembers which entries it matches, and {@code byEntry} maps an entry to the groups that match it,
 * so a rotated SVID costs one map lookup, not a scan of every subscriber.
 *
 * <p>Not thread-safe: {@link SvidCache} calls it only while holding its lock. It never calls listeners
 * itself: it offers snapshots to their {@link Mailbox}es and returns them, for the cache to drain once
 * it has released its lock.
 */
final class SubscriberIndex {

    private final Map<SelectorSet, Group> groups = new HashMap<>();
    private final Map<String, Set<Group>> byEntry = new HashMap<>();

    /** Adds a subscriber; its mailbox holds the current snapshot, to be drained at once. */
    Group add(SelectorSet selectors, Mailbox mailbox, CacheState state, Instant now) {
        Group group = groups.get(selectors);
        if (group == null) {
            group = new Group(selectors);
            groups.put(selectors, group);
            for (String id : state.matchingEntryIds(selectors)) {
                group.matched.add(id);
                byEntry.computeIfAbsent(id, k -> new HashSet<>()).add(group);
            }
            group.last = state.snapshotFor(group.matched, now);
        }
        group.mailboxes.add(mailbox);
        // An SVID of the group expired and the cache has not dropped it yet (it is about to, and then
        // tells the whole group): the newcomer must not get it meanwhile.
        mailbox.offer(holdsExpired(group.last, now) ? state.snapshotFor(group.matched, now) : group.last);
        return group;
    }

    void remove(Group group, Mailbox mailbox) {
        group.mailboxes.remove(mailbox);
        if (group.mailboxes.isEmpty() && groups.get(group.selectors) == group) {
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
     * Re-evaluates what changed and offers the new snapshot to the affected groups whose snapshot differs.
     *
     * @param changedEntries entries added, changed or deleted: their matching is recomputed against
     *     every group (a cheap subset check each)
     * @param changedSvids entries whose SVID alone changed: only the groups that match them
     * @param bundleChanged the own bundle changed: every workload is notified
     * @param changedFederated federated trust domains whose bundle changed
     * @param now what an expired SVID is judged by: it is left out of the new snapshots
     * @return the mailboxes that received a snapshot, to be drained outside the lock
     */
    List<Mailbox> changed(
            CacheState state,
            Collection<String> changedEntries,
            Collection<String> changedSvids,
            boolean bundleChanged,
            Set<TrustDomain> changedFederated,
            Instant now) {
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
        List<Mailbox> offered = new ArrayList<>();
        for (Group group : affected) {
            X509Snapshot next = state.snapshotFor(group.matched, now);
            if (next.equals(group.last)) {
                continue;
            }
            group.last = next;
            for (Mailbox mailbox : group.mailboxes) {
                mailbox.offer(next);
                offered.add(mailbox);
            }
        }
        return offered;
    }

    private static boolean holdsExpired(X509Snapshot snapshot, Instant now) {
        for (IssuedSvid svid : snapshot.svids()) {
            if (svid.isExpiredAt(now)) {
                return true;
            }
        }
        return false;
    }

    int groupCount() {
        return groups.size();
    }

    /** The subscribers that share one selector set, and what they currently see. */
    static final class Group {
        final SelectorSet selectors;
        final Set<String> matched = new HashSet<>();
        final List<Mailbox> mailboxes = new ArrayList<>();
        X509Snapshot last;

        Group(SelectorSet selectors) {
            this.selectors = selectors;
        }
    }
}
