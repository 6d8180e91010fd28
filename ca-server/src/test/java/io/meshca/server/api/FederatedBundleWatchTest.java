package io.meshca.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.proto.server.v1.WatchAuthorizedRequest;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.testing.InProcessAgentApi;
import io.meshca.server.testing.ServerCore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The watch sends each agent the federated bundles its entries federate with: in the snapshot, on change, after a resume. */
class FederatedBundleWatchTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final TrustDomain OTHER = TrustDomain.parse("other.org");
    private static final TrustDomain UNRELATED = TrustDomain.parse("unrelated.org");
    private static final SpiffeId AGENT = TD.withPath("/meshca/agent/join_token/a");

    private final FakeClock clock = new FakeClock(Instant.now());

    @RegisterExtension
    final InProcessAgentApi agentApi = InProcessAgentApi.perTest(TD, clock, AGENT, Selector.parse("join_token:a"));

    private final ServerCore core = agentApi.core();

    private void federatedEntry(String path, String... federatesWith) {
        core.store()
                .entries()
                .create(RegistrationEntry.draft(TD.withPath(path), AGENT, SelectorSet.of(Selector.parse("unix:uid:1")))
                        .withFederatesWith(List.of(federatesWith)));
    }

    private X509Certificate setBundle(TrustDomain td) {
        X509Certificate root = TestPki.root(td).certificate();
        core.store().federatedBundles().put(new SpiffeBundle(td, List.of(root), List.of(), 1, Duration.ZERO));
        return root;
    }

    private LinkedBlockingQueue<WatchAuthorizedResponse> watch(long since) {
        return agentApi.watch(
                WatchAuthorizedRequest.newBuilder().setSinceRevision(since).build());
    }

    private static WatchAuthorizedResponse next(LinkedBlockingQueue<WatchAuthorizedResponse> got)
            throws InterruptedException {
        WatchAuthorizedResponse r = got.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a watch message within 10 s").isNotNull();
        return r;
    }

    @Test
    void snapshot_carriesTheBundlesTheEntriesFederateWith_only() throws Exception {
        X509Certificate other = setBundle(OTHER);
        setBundle(UNRELATED);
        federatedEntry("/web", "spiffe://other.org");

        WatchAuthorizedResponse snap = next(watch(0));

        assertThat(snap.getFullSnapshot()).isTrue();
        assertThat(snap.getFederatedBundlesMap()).containsOnlyKeys("other.org");
        assertThat(snap.getFederatedBundlesMap()
                        .get("other.org")
                        .getX509Authorities(0)
                        .toByteArray())
                .isEqualTo(Certificates.der(other));
    }

    @Test
    void aChangedOrDeletedBundle_isSentAsADelta() throws Exception {
        federatedEntry("/web", "other.org");
        LinkedBlockingQueue<WatchAuthorizedResponse> got = watch(0);
        assertThat(next(got).getFederatedBundlesMap().get("other.org").getX509AuthoritiesCount())
                .as("no bundle yet: an empty one")
                .isZero();

        X509Certificate root = setBundle(OTHER);
        WatchAuthorizedResponse added = next(got);
        assertThat(added.getFullSnapshot()).isFalse();
        assertThat(added.getFederatedBundlesMap()
                        .get("other.org")
                        .getX509Authorities(0)
                        .toByteArray())
                .isEqualTo(Certificates.der(root));

        setBundle(UNRELATED);
        core.store().federatedBundles().delete(OTHER);
        WatchAuthorizedResponse next = next(got);
        if (next.getFederatedBundlesMap().isEmpty()) {
            next = next(got); // the unrelated change may come alone, carrying nothing
        }
        assertThat(next.getFederatedBundlesMap()).containsOnlyKeys("other.org");
        assertThat(next.getFederatedBundlesMap().get("other.org").getX509AuthoritiesCount())
                .as("deleted: empty")
                .isZero();
    }

    @Test
    void aResumedWatch_stillDeliversChangesOfTheBundlesItsEntriesNeed() throws Exception {
        federatedEntry("/web", "other.org");
        long known = core.store().changes().currentRevision();
        LinkedBlockingQueue<WatchAuthorizedResponse> got = watch(known);

        X509Certificate root = setBundle(OTHER);

        WatchAuthorizedResponse delta = next(got);
        assertThat(delta.getFullSnapshot()).isFalse();
        assertThat(delta.getFederatedBundlesMap()
                        .get("other.org")
                        .getX509Authorities(0)
                        .toByteArray())
                .isEqualTo(Certificates.der(root));
    }
}
