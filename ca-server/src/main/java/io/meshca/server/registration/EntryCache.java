package io.meshca.server.registration;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.model.Change;
import io.meshca.server.model.EntryFilter;
import io.meshca.server.model.RegistrationEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every registration entry in memory, indexed by id and by parent: what agent authorization, watch
 * snapshots and signing read, so that they cost no database call and go on while the database is away.
 * Loaded once at start by pages of the entry table (not by replaying the change log), then kept current
 * by {@link #apply}, which the change feed calls with each batch of changes in revision order.
 *
 * <p>Writers are serialized; readers take no lock. A reader racing a move to another parent may see the
 * entry under both parents or neither for that instant; the watch that follows the change corrects it.
 */
public final class EntryCache implements EntryIndex {

    /** Entries per page when loading: bounds the memory of one read, not the total. */
    private static final int LOAD_PAGE = 10_000;

    private static final Comparator<RegistrationEntry> BY_ID = Comparator.comparing(RegistrationEntry::id);

    private final EntryStore store;
    private final Map<String, RegistrationEntry> byId = new ConcurrentHashMap<>();
    private final Map<SpiffeId, Map<String, RegistrationEntry>> byParent = new ConcurrentHashMap<>();

    public EntryCache(EntryStore store) {
        this.store = store;
    }

    /** Replaces the contents with every stored entry; returns how many there are. */
    public synchronized int load() {
        byId.clear();
        byParent.clear();
        String after = "";
        while (true) {
            List<RegistrationEntry> page = store.list(EntryFilter.ALL, after, LOAD_PAGE);
            page.forEach(this::put);
            if (page.size() < LOAD_PAGE) {
                return byId.size();
            }
            after = page.get(page.size() - 1).id();
        }
    }

    /** Re-reads the entries these changes name: present ones are stored, missing ones removed. */
    public void apply(List<Change> changes) {
        Set<String> ids = new LinkedHashSet<>();
        for (Change c : changes) {
            if (c.kind() == Change.Kind.ENTRY) {
                ids.add(c.objectId());
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        List<RegistrationEntry> now = store.getAll(ids);
        synchronized (this) {
            for (RegistrationEntry e : now) {
                ids.remove(e.id());
                put(e);
            }
            ids.forEach(this::remove);
        }
    }

    @Override
    public Optional<RegistrationEntry> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    @Override
    public List<RegistrationEntry> listByParents(Collection<SpiffeId> parentIds) {
        List<RegistrationEntry> out = new ArrayList<>();
        for (SpiffeId parent : parentIds) {
            Map<String, RegistrationEntry> children = byParent.get(parent);
            if (children != null) {
                out.addAll(children.values());
            }
        }
        out.sort(BY_ID);
        return out;
    }

    public int size() {
        return byId.size();
    }

    private synchronized void put(RegistrationEntry entry) {
        RegistrationEntry old = byId.put(entry.id(), entry);
        if (old != null && !old.parentId().equals(entry.parentId())) {
            removeFromParent(old);
        }
        byParent.computeIfAbsent(entry.parentId(), p -> new ConcurrentHashMap<>())
                .put(entry.id(), entry);
    }

    private synchronized void remove(String id) {
        RegistrationEntry old = byId.remove(id);
        if (old != null) {
            removeFromParent(old);
        }
    }

    private void removeFromParent(RegistrationEntry entry) {
        byParent.computeIfPresent(entry.parentId(), (p, children) -> {
            children.remove(entry.id());
            return children.isEmpty() ? null : children;
        });
    }
}
