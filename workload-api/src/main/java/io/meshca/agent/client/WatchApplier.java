package io.meshca.agent.client;

import io.meshca.agent.cache.AuthorizedEntry;
import io.meshca.agent.cache.EntryUpdate;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Assembles the watch's pages into complete {@link EntryUpdate}s. Pages are buffered until the one
 * marked {@code last_page}, so that workloads never see half a snapshot (entries missing only because
 * their page has not arrived yet). A broken stream discards the partial update ({@link #reset}); the
 * watch then resumes from the last revision that was completely applied.
 *
 * <p>Not thread-safe: one watch stream feeds it, one message at a time.
 */
public final class WatchApplier {

    private final Consumer<EntryUpdate> sink;
    private List<AuthorizedEntry> upserted = new ArrayList<>();
    private List<String> deleted = new ArrayList<>();
    private Map<TrustDomain, TrustBundle> federated = new HashMap<>();
    private TrustBundle bundle;
    private Boolean fullSnapshot;

    public WatchApplier(Consumer<EntryUpdate> sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /**
     * Takes one page; applies the update when the page completes it.
     *
     * @throws InvalidArgumentException if the page is malformed (the watch
     *     then reconnects; nothing of the partial update is applied)
     */
    public void onPage(WatchAuthorizedResponse page) {
        if (fullSnapshot == null) {
            fullSnapshot = page.getFullSnapshot();
        } else if (fullSnapshot != page.getFullSnapshot()) {
            reset();
            throw new InvalidArgumentException(
                    "the server mixed snapshot and change pages in one update (revision " + page.getRevision() + ")");
        }
        for (Entry entry : page.getUpsertedList()) {
            upserted.add(EntryProtos.fromProto(entry));
        }
        deleted.addAll(page.getDeletedEntryIdsList());
        if (page.hasBundle()) {
            bundle = BundleProtos.fromProto(page.getBundle());
        }
        page.getFederatedBundlesMap().forEach((name, b) -> {
            TrustBundle parsed = BundleProtos.fromProto(b);
            federated.put(TrustDomain.parse(name), parsed);
        });
        if (page.getLastPage()) {
            EntryUpdate update = new EntryUpdate(
                    page.getRevision(), fullSnapshot, upserted, fullSnapshot ? List.of() : deleted, bundle, federated);
            reset();
            sink.accept(update);
        }
    }

    /** Forgets the pages of an unfinished update. */
    public void reset() {
        upserted = new ArrayList<>();
        deleted = new ArrayList<>();
        federated = new HashMap<>();
        bundle = null;
        fullSnapshot = null;
    }
}
