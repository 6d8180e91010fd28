package io.meshca.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.proto.server.v1.WatchAuthorizedRequest;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.testing.InProcessAgentApi;
import io.meshca.server.testing.ServerCore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Agent service in process, called as one agent ({@link InProcessAgentApi}). */
class AgentServiceTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId SERVER = TD.withPath("/meshca/server");
    private static final SpiffeId AGENT = TD.withPath("/meshca/agent/join_token/a");
    private static final SpiffeId OTHER = TD.withPath("/meshca/agent/join_token/b");

    private final FakeClock clock = new FakeClock(Instant.now());

    @RegisterExtension
    final InProcessAgentApi agentApi = InProcessAgentApi.perTest(TD, clock, AGENT, Selector.parse("join_token:a"));

    private final ServerCore core = agentApi.core();

    private RegistrationEntry entry(String path, SpiffeId parent) {
        return core.entry(path, parent);
    }

    private List<WatchAuthorizedResponse> watch(int pageSize, int messages) throws Exception {
        LinkedBlockingQueue<WatchAuthorizedResponse> got = agentApi.watch(
                WatchAuthorizedRequest.newBuilder().setPageSize(pageSize).build());
        List<WatchAuthorizedResponse> out = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            WatchAuthorizedResponse r = got.poll(10, TimeUnit.SECONDS);
            assertThat(r).as("message " + i).isNotNull();
            out.add(r);
        }
        return out;
    }

    /**
     * Pages go out only as fast as the agent reads them: the server does not build and buffer the whole
     * snapshot for an agent that reads slowly (gRPC flow control; the in-process transport is ready for
     * exactly as many messages as the client asked for).
     */
    @Test
    void aSlowAgent_isSentPagesOnlyAsItReadsThem() throws Exception {
        int entries = 40;
        for (int i = 0; i < entries; i++) {
            entry("/slow" + i, AGENT);
        }
        InProcessAgentApi.SlowWatch watch = agentApi.watchSlowly(
                WatchAuthorizedRequest.newBuilder().setPageSize(1).build(), 2);
        for (int i = 0; i < 2; i++) {
            assertThat(watch.messages().poll(10, TimeUnit.SECONDS))
                    .as("page " + i)
                    .isNotNull();
        }
        // Nothing arrives unasked; what matters is that the server did not send (buffer) the rest meanwhile.
        assertThat(watch.messages().poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(agentApi.messagesSent()).isLessThanOrEqualTo(3);

        watch.read(entries);
        List<WatchAuthorizedResponse> rest = new ArrayList<>();
        WatchAuthorizedResponse r;
        do {
            r = watch.messages().poll(10, TimeUnit.SECONDS);
            assertThat(r).as("page " + (2 + rest.size())).isNotNull();
            rest.add(r);
        } while (!r.getLastPage());
        assertThat(2 + rest.size()).isEqualTo(entries);
        assertThat(agentApi.messagesSent()).isEqualTo(entries);
    }

    @Test
    void snapshot_comesInPagesOfPageSize_withTheBundleOnTheFirst_andOnlyTheCallersEntries() throws Exception {
        List<String> mine = List.of(
                entry("/w1", AGENT).id(),
                entry("/w2", AGENT).id(),
                entry("/w3", AGENT).id());
        entry("/theirs", OTHER);

        List<WatchAuthorizedResponse> pages = watch(2, 2);

        assertThat(pages).allSatisfy(p -> assertThat(p.getFullSnapshot()).isTrue());
        assertThat(pages).extracting(WatchAuthorizedResponse::getLastPage).containsExactly(false, true);
        assertThat(pages.get(0).getUpsertedCount()).isEqualTo(2);
        assertThat(pages.get(0).hasBundle()).isTrue();
        assertThat(pages.get(1).hasBundle()).isFalse();
        assertThat(pages.get(0).getRevision()).isEqualTo(pages.get(1).getRevision());
        List<String> ids = new ArrayList<>();
        pages.forEach(p -> p.getUpsertedList().forEach(e -> ids.add(e.getId())));
        assertThat(ids).containsExactlyInAnyOrderElementsOf(mine);
    }

    @Test
    void watchFromAKnownRevision_sendsOnlyLaterChanges_asDeltas() throws Exception {
        entry("/old", AGENT);
        long known = core.store().changes().currentRevision();
        LinkedBlockingQueue<WatchAuthorizedResponse> got = agentApi.watch(
                WatchAuthorizedRequest.newBuilder().setSinceRevision(known).build());

        RegistrationEntry added = entry("/new", AGENT);

        WatchAuthorizedResponse delta = got.poll(10, TimeUnit.SECONDS);
        assertThat(delta.getFullSnapshot()).isFalse();
        assertThat(delta.getLastPage()).isTrue();
        assertThat(delta.getUpsertedList()).extracting(e -> e.getId()).containsExactly(added.id());
        assertThat(delta.getRevision()).isEqualTo(added.revision());
    }

    @Test
    void aNewNodeAliasMatchingTheAgent_bringsAFreshSnapshotWithItsEntries() throws Exception {
        SpiffeId alias = TD.withPath("/node1");
        RegistrationEntry viaAlias = entry("/web", alias);
        LinkedBlockingQueue<WatchAuthorizedResponse> got = agentApi.watch(WatchAuthorizedRequest.getDefaultInstance());
        WatchAuthorizedResponse first = got.poll(10, TimeUnit.SECONDS);
        assertThat(first.getUpsertedList()).isEmpty();

        core.store()
                .entries()
                .create(RegistrationEntry.draft(alias, SERVER, SelectorSet.of(Selector.parse("join_token:a"))));

        WatchAuthorizedResponse resnapshot = got.poll(10, TimeUnit.SECONDS);
        assertThat(resnapshot.getFullSnapshot()).isTrue();
        assertThat(resnapshot.getUpsertedList()).extracting(e -> e.getId()).containsExactly(viaAlias.id());
    }
}
