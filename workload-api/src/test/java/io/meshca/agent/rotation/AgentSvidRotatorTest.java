package io.meshca.agent.rotation;

import static io.meshca.agent.testing.CacheFixtures.BUNDLE;
import static io.meshca.agent.testing.CacheFixtures.CA;
import static io.meshca.agent.testing.CacheFixtures.DOMAIN;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.meshca.agent.cache.SvidCache;
import io.meshca.agent.identity.AgentCredentials;
import io.meshca.agent.identity.AgentSvid;
import io.meshca.agent.retry.Backoff;
import io.meshca.agent.storage.AgentSvidStore;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.pki.KeyIdentifiers;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class AgentSvidRotatorTest {

    private static final SpiffeId AGENT_ID = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/t1");
    private static final Duration TTL = Duration.ofMinutes(2);
    private static final NodeReattestor JOIN_TOKEN = () -> {
        throw new FailedPreconditionException("a new join token is needed (test)");
    };

    @TempDir
    Path dataDir;

    private final FakeClock clock = new FakeClock(Instant.now());
    private final TestSigner server = new TestSigner(CA, new SvidCache(BUNDLE, clock), clock, TTL);
    private final List<AgentSvid> renewedSvids = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private AgentSvidStore store;
    private AgentCredentials credentials;
    private TestPki.Leaf initial;

    @BeforeEach
    void attested() {
        server.agentId = AGENT_ID;
        initial = CA.leaf(
                AGENT_ID, clock.instant().minusSeconds(10), clock.instant().plus(TTL));
        credentials = new AgentCredentials(
                new AgentSvid(initial.chain(), initial.keyPair().getPrivate()), BUNDLE, clock);
        store = new AgentSvidStore(dataDir, BUNDLE.trustDomain());
        store.save(credentials.svid(), BUNDLE); // as attestation left it
        logs.start();
        ((Logger) LoggerFactory.getLogger(AgentSvidRotator.class)).addAppender(logs);
    }

    @AfterEach
    void detachLogs() {
        ((Logger) LoggerFactory.getLogger(AgentSvidRotator.class)).detachAppender(logs);
    }

    /** Renewals through the test signer, recording when each was attempted. */
    private final List<Instant> renewalAttempts = new ArrayList<>();

    private AgentSvidRotator rotator(NodeReattestor reattestor) {
        AgentSvidRotator rotator = new AgentSvidRotator(
                credentials,
                csr -> {
                    renewalAttempts.add(clock.instant());
                    return server.renew(csr);
                },
                reattestor,
                store,
                clock,
                clock.scheduler(),
                new SplittableRandom(3),
                Backoff.DEFAULT,
                renewedSvids::add);
        rotator.start();
        clock.runDue();
        return rotator;
    }

    private String initialSerial() {
        return initial.certificate().getSerialNumber().toString(16);
    }

    @Test
    void renewsAtHalfLife_persists_andHandsTheNewSvidToTheTlsCredentials() {
        AgentSvidRotator rotator = rotator(JOIN_TOKEN);

        clock.advance(TTL.multipliedBy(44).dividedBy(100));
        assertThat(credentials.svid().serial()).isEqualTo(initialSerial());

        server.unavailable = true;
        clock.advance(TTL.multipliedBy(12).dividedBy(100));
        assertThat(credentials.svid().serial())
                .as("kept while the server is down")
                .isEqualTo(initialSerial());

        server.unavailable = false;
        clock.advance(Duration.ofMinutes(1));
        AgentSvid renewed = credentials.svid();
        assertThat(renewed.serial()).isNotEqualTo(initialSerial());
        assertThat(renewed.spiffeId()).isEqualTo(AGENT_ID);
        assertThat(renewed.privateKey()).isNotEqualTo(initial.keyPair().getPrivate());
        assertThat(store.load().orElseThrow().svid().serial()).isEqualTo(renewed.serial());
        assertThat(renewedSvids).containsExactly(renewed);
        rotator.close();
    }

    @Test
    void taintedAuthorityInItsChain_renewsAtOnce_anUnrelatedTaintDoesNot() {
        AgentSvidRotator rotator = rotator(JOIN_TOKEN);
        TestPki.Authority replacement = TestPki.root(DOMAIN);
        server.signWith(replacement);

        rotator.reissueIfTainted(Set.of("00ff00ff"));
        clock.runDue();
        assertThat(credentials.svid().serial()).isEqualTo(initialSerial());

        rotator.reissueIfTainted(
                Set.of("00ff00ff", KeyIdentifiers.subjectKeyId(CA.certificate()).orElseThrow()));
        clock.runDue();

        AgentSvid renewed = credentials.svid();
        assertThat(renewed.serial()).isNotEqualTo(initialSerial());
        assertThat(renewed.chain().get(0).getIssuerX500Principal())
                .isEqualTo(replacement.certificate().getSubjectX500Principal());
        assertThat(renewedSvids).containsExactly(renewed);
        assertThat(store.load().orElseThrow().svid().serial()).isEqualTo(renewed.serial());
        rotator.close();
    }

    @Test
    void busyServer_renewalWaitsItsDelayPlusJitter_thenRenews() {
        AgentSvidRotator rotator = rotator(JOIN_TOKEN);
        server.busyRetryAfter = Duration.ofSeconds(2);
        clock.advance(TTL.multipliedBy(56).dividedBy(100)); // past the renewal time: refused, and again

        assertThat(renewalAttempts).hasSizeGreaterThan(1);
        for (int i = 1; i < renewalAttempts.size(); i++) {
            assertThat(Duration.between(renewalAttempts.get(i - 1), renewalAttempts.get(i)))
                    .as("the server's 2 s plus up to 2 s of jitter, not a backoff step")
                    .isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
        }
        assertThat(credentials.svid().serial()).isEqualTo(initialSerial());

        server.busyRetryAfter = null;
        clock.advance(Duration.ofSeconds(4));
        assertThat(credentials.svid().serial()).isNotEqualTo(initialSerial());
        assertThat(logs.list.stream().filter(e -> e.getLevel() == Level.WARN))
                .as("one line for the whole busy spell")
                .singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).startsWith("signing queue full (test)"));
        rotator.close();
    }

    @Test
    void failedRenewals_retryWithinFourSeconds_andNearExpiryWithinATenthOfWhatIsLeft() {
        AgentSvidRotator rotator = rotator(JOIN_TOKEN);
        server.unavailable = true;
        Instant notAfter = credentials.svid().notAfter();

        clock.advance(Duration.between(clock.instant(), notAfter).minusMillis(1));

        List<Instant> failed = renewalAttempts;
        assertThat(failed).hasSizeGreaterThan((int) (TTL.dividedBy(4).toSeconds() / 4));
        for (int i = 1; i < failed.size(); i++) {
            Duration remaining = Duration.between(failed.get(i - 1), notAfter);
            Duration tenth = remaining.dividedBy(10);
            Duration bound = tenth.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : tenth;
            assertThat(Duration.between(failed.get(i - 1), failed.get(i)))
                    .isLessThanOrEqualTo(Duration.ofSeconds(4))
                    .isLessThanOrEqualTo(bound.plusMillis(1));
        }
        assertThat(Duration.between(failed.get(failed.size() - 1), notAfter))
                .isLessThanOrEqualTo(Duration.ofMillis(101));
        assertThat(credentials.validSvid()).isPresent();
        rotator.close();
    }

    @Test
    void expiredSvid_isPresentedNoMore_andAJoinTokenAgentSaysANewTokenIsNeeded_andStopsTrying() {
        AgentSvidRotator rotator = rotator(JOIN_TOKEN);
        server.unavailable = true;

        clock.advance(Duration.between(clock.instant(), credentials.svid().notAfter()));
        clock.advance(Duration.ofMillis(200));

        assertThat(credentials.validSvid()).isEmpty();
        assertThat(credentials.svid().serial()).isEqualTo(initialSerial());
        List<ILoggingEvent> errors =
                logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).getFormattedMessage())
                .contains("the agent SVID " + AGENT_ID)
                .contains("expired at")
                .contains("a new join token is needed");
        int attempts = renewalAttempts.size();
        clock.advance(Duration.ofHours(1));
        assertThat(renewalAttempts).as("no renewal attempts after giving up").hasSize(attempts);
        assertThat(clock.pendingTasks()).isZero();
        rotator.close();
    }

    @Test
    void expiredSvid_withAnAttestorThatCanAttestAgain_isReplacedByNewAttestation() {
        TestPki.Leaf fresh = CA.leaf(AGENT_ID, clock.instant(), clock.instant().plus(TTL.multipliedBy(3)));
        AgentSvid reattested = new AgentSvid(fresh.chain(), fresh.keyPair().getPrivate());
        AtomicInteger reattestations = new AtomicInteger();
        AgentSvidRotator rotator = rotator(() -> {
            if (reattestations.incrementAndGet() == 1) {
                throw new UnavailableException("server down (test)");
            }
            return new NodeReattestor.Reattested(reattested, BUNDLE);
        });
        server.unavailable = true;

        clock.advance(
                Duration.between(clock.instant(), credentials.svid().notAfter()).plusSeconds(5));

        assertThat(reattestations).hasValue(2);
        assertThat(credentials.validSvid()).contains(reattested);
        assertThat(store.load().orElseThrow().svid().serial()).isEqualTo(reattested.serial());
        assertThat(renewedSvids).containsExactly(reattested);
        rotator.close();
    }
}
