package io.meshca.agent.rotation;

import static io.meshca.agent.testing.CacheFixtures.BUNDLE;
import static io.meshca.agent.testing.CacheFixtures.CA;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.agent.cache.SvidCache;
import io.meshca.agent.identity.AgentCredentials;
import io.meshca.agent.identity.AgentSvid;
import io.meshca.agent.retry.Backoff;
import io.meshca.agent.storage.AgentSvidStore;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentSvidRotatorTest {

    private static final SpiffeId AGENT_ID = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/t1");
    private static final Duration TTL = Duration.ofHours(1);

    @TempDir
    Path dataDir;

    private final FakeClock clock = new FakeClock(Instant.now());

    @Test
    void renewsAtHalfLife_persists_andHandsTheNewSvidToTheTlsCredentials() {
        TestSigner server = new TestSigner(CA, new SvidCache(BUNDLE), clock, TTL);
        List<AgentSvid> renewedSvids = new ArrayList<>();
        server.agentId = AGENT_ID;
        TestPki.Leaf initial = CA.leaf(
                AGENT_ID, clock.instant().minusSeconds(10), clock.instant().plus(TTL));
        AgentCredentials credentials = new AgentCredentials(
                new AgentSvid(initial.chain(), initial.keyPair().getPrivate()), BUNDLE);
        AgentSvidStore store = new AgentSvidStore(dataDir, BUNDLE.trustDomain());
        store.save(credentials.svid(), BUNDLE); // as attestation left it
        AgentSvidRotator rotator = new AgentSvidRotator(
                credentials,
                server,
                store,
                clock,
                clock.scheduler(),
                new SplittableRandom(3),
                Backoff.DEFAULT,
                renewedSvids::add);
        rotator.start();

        clock.advance(TTL.multipliedBy(44).dividedBy(100));
        assertThat(credentials.svid().serial())
                .isEqualTo(initial.certificate().getSerialNumber().toString(16));

        server.unavailable = true;
        clock.advance(TTL.multipliedBy(12).dividedBy(100));
        assertThat(credentials.svid().serial())
                .as("kept while the server is down")
                .isEqualTo(initial.certificate().getSerialNumber().toString(16));

        server.unavailable = false;
        clock.advance(Duration.ofMinutes(1));
        AgentSvid renewed = credentials.svid();
        assertThat(renewed.serial())
                .isNotEqualTo(initial.certificate().getSerialNumber().toString(16));
        assertThat(renewed.spiffeId()).isEqualTo(AGENT_ID);
        assertThat(renewed.privateKey()).isNotEqualTo(initial.keyPair().getPrivate());
        assertThat(store.load().orElseThrow().svid().serial()).isEqualTo(renewed.serial());
        assertThat(renewedSvids).containsExactly(renewed);
        rotator.close();
    }
}
