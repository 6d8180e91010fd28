package io.meshca.agent;

import io.meshca.agent.cache.EntryUpdate;
import io.meshca.agent.cache.SvidCache;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.identity.AgentCredentials;
import io.meshca.agent.jwt.JwtSvidCache;
import io.meshca.agent.rotation.AgentSvidRotator;
import io.meshca.agent.rotation.SvidRotator;
import io.meshca.agent.storage.AgentSvidStore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each complete update of the watch goes: the cache (and so every workload's stream), the
 * trust bundle the agent's own connection checks the server with (kept on disk for the next start),
 * and — when the bundle names tainted authorities — the rotators, which re-issue what such an
 * authority signed, and the JWT-SVID cache, which forgets what a tainted key signed. Runs on the
 * watch's thread, one update at a time.
 */
final class UpdateDispatcher implements Consumer<EntryUpdate> {

    private static final Logger log = LoggerFactory.getLogger(UpdateDispatcher.class);

    private final SvidCache cache;
    private final AgentCredentials credentials;
    private final AgentSvidStore store;
    private final SvidRotator workloadSvids;
    private final AgentSvidRotator agentSvid;
    private final JwtSvidCache jwtSvids;
    private final AgentEvents events;

    UpdateDispatcher(
            SvidCache cache,
            AgentCredentials credentials,
            AgentSvidStore store,
            SvidRotator workloadSvids,
            AgentSvidRotator agentSvid,
            JwtSvidCache jwtSvids,
            AgentEvents events) {
        this.cache = cache;
        this.credentials = credentials;
        this.store = store;
        this.workloadSvids = workloadSvids;
        this.agentSvid = agentSvid;
        this.jwtSvids = jwtSvids;
        this.events = events;
    }

    @Override
    public void accept(EntryUpdate update) {
        cache.apply(update);
        update.bundleIfChanged().ifPresent(this::bundle);
        if (update.fullSnapshot()) {
            log.info(
                    "sync done: {} authorized entries at revision {}",
                    cache.entries().size(),
                    update.revision());
            events.synced(update.revision());
        } else {
            log.debug(
                    "applied revision {}: {} upserted, {} deleted",
                    update.revision(),
                    update.upserted().size(),
                    update.deletedEntryIds().size());
        }
    }

    private void bundle(TrustBundle bundle) {
        if (!bundle.equals(credentials.bundle())) {
            credentials.updateBundle(bundle);
            store.saveBundle(bundle);
        }
        // Every bundle the server sends repeats the taint; the rotators act only on what is new to them.
        if (!bundle.taintedX509AuthorityIds().isEmpty()) {
            workloadSvids.reissueTainted(bundle.taintedX509AuthorityIds());
            agentSvid.reissueIfTainted(bundle.taintedX509AuthorityIds());
        }
        int dropped = jwtSvids.dropSignedBy(bundle.taintedJwtKeyIds());
        if (dropped > 0) {
            log.warn(
                    "dropped {} cached JWT-SVIDs signed by tainted keys {}: the next fetch mints new ones",
                    dropped,
                    bundle.taintedJwtKeyIds());
        }
    }
}
