package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.FakeServer;
import io.meshca.agent.testing.Poll;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.meshca.proto.server.v1.BatchSignX509SvidsResponse;
import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.RenewAgentSvidResponse;
import io.meshca.proto.server.v1.Selector;
import io.meshca.proto.server.v1.SvidSigningResult;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent given two ca-server replicas in {@code -serverAddress}: two fake servers on TLS with
 * server SVIDs of the same trust domain, each able to answer every call. The agent's SVID lives 6 s,
 * so it renews about every 3 s and shows where its calls go. When one replica stops, the agent keeps
 * renewing and serving workloads through the other.
 */
class ReplicaFailoverEndToEndTest {

    private static final TrustDomain DOMAIN = TrustDomain.parse("example.org");
    private static final TestPki.Authority CA = TestPki.root(DOMAIN);
    private static final SpiffeId AGENT_ID = DOMAIN.withPath("/meshca/agent/join_token/t1");
    private static final SpiffeId WORKLOAD_ID = DOMAIN.withPath("/failover/workload");
    private static final Duration AGENT_SVID_TTL = Duration.ofSeconds(6);
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Two renewal periods and a retry: how soon the surviving replica must have renewed. */
    private static final Duration FAILOVER = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final Replica first = new Replica();
    private final Replica second = new Replica();
    private RunningAgent agent;

    @BeforeEach
    void startReplicas() throws Exception {
        first.start();
        second.start();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        first.server.close();
        second.server.close();
    }

    @Test
    void callsGoToBothReplicas_andTheSurvivorRenewsAndServes_whenOneStops() throws Exception {
        Path bundle = Files.writeString(dir.resolve("bundle.pem"), Pem.encodeCertificates(List.of(CA.certificate())));
        agent = RunningAgent.start(AgentConfig.builder()
                .trustDomain(DOMAIN.name())
                .serverAddress("127.0.0.1:" + first.port + ", 127.0.0.1:" + second.port)
                .trustBundle(bundle)
                .joinToken("single-use-token")
                .dataDir(dir.resolve("agent"))
                .socketPath(dir.resolve("sock/api.sock"))
                .build());
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        assertThat(Poll.until("a workload SVID", WAIT, agent::firstSvidOrNull).spiffeId())
                .isEqualTo(WORKLOAD_ID);

        Poll.until(
                "renewals through both replicas",
                WAIT,
                () -> first.renewals.get() > 0 && second.renewals.get() > 0 ? true : null);

        first.server.stopTls();
        Instant stopped = Instant.now();
        int renewalsBefore = second.renewals.get();
        Set<BigInteger> issuedBefore = Set.copyOf(second.issuedAgentSvids);
        Poll.until(
                "two renewals through the surviving replica",
                FAILOVER,
                () -> second.renewals.get() >= renewalsBefore + 2 ? true : null);
        // the SVID the agent presents now is one the survivor issued after the stop
        Poll.until("the agent presenting an SVID the survivor issued after the stop", WAIT, () -> {
            BigInteger serial = agent.agentSvid().leaf().getSerialNumber();
            return second.issuedAgentSvids.contains(serial) && !issuedBefore.contains(serial) ? true : null;
        });
        assertThat(agent.agentSvid().leaf().getNotBefore().toInstant()).isAfter(stopped.minusSeconds(2));
        assertThat(Poll.until("a workload SVID after the failover", WAIT, agent::firstSvidOrNull)
                        .spiffeId())
                .isEqualTo(WORKLOAD_ID);
        // the watch stream runs on the survivor, whichever replica it was on before
        Poll.until("a watch on the survivor", WAIT, () -> second.server.watchRequests.isEmpty() ? null : true);
    }

    @Test
    void aReplicaDownAtStart_isSkipped_andTheAgentAttestsAndSyncsThroughTheOther() throws Exception {
        first.server.stopTls();
        Path bundle = Files.writeString(dir.resolve("bundle.pem"), Pem.encodeCertificates(List.of(CA.certificate())));

        agent = RunningAgent.start(AgentConfig.builder()
                .trustDomain(DOMAIN.name())
                .serverAddress("127.0.0.1:" + first.port + ",127.0.0.1:" + second.port)
                .trustBundle(bundle)
                .joinToken("single-use-token")
                .dataDir(dir.resolve("agent"))
                .socketPath(dir.resolve("sock/api.sock"))
                .build());

        assertThat(agent.awaitSynced(WAIT)).isTrue();
        assertThat(second.server.attestRequests).hasSize(1);
        assertThat(second.server.watchRequests).isNotEmpty();
        assertThat(first.server.attestRequests).isEmpty();
    }

    /** One fake ca-server replica: attests, renews, signs and streams one entry for this JVM's uid. */
    private static final class Replica {
        final AtomicInteger renewals = new AtomicInteger();
        final Set<BigInteger> issuedAgentSvids = ConcurrentHashMap.newKeySet();
        FakeServer server;
        int port;

        void start() throws Exception {
            server = new FakeServer();
            server.attest = request -> FakeServer.result(
                    FakeServer.svid(
                            AGENT_ID.toString(),
                            issue(AGENT_ID, request.getParams().getCsr(), AGENT_SVID_TTL)),
                    FakeServer.bundle(DOMAIN.name(), 1, CA.certificate()));
            server.renewAgentSvid = request -> {
                List<X509Certificate> chain = issue(AGENT_ID, request.getCsr(), AGENT_SVID_TTL);
                issuedAgentSvids.add(chain.get(0).getSerialNumber());
                renewals.incrementAndGet();
                return RenewAgentSvidResponse.newBuilder()
                        .setSvid(FakeServer.svid(AGENT_ID.toString(), chain))
                        .build();
            };
            server.batchSign = request -> {
                BatchSignX509SvidsResponse.Builder response = BatchSignX509SvidsResponse.newBuilder();
                request.getRequestsList()
                        .forEach(r -> response.addResults(SvidSigningResult.newBuilder()
                                .setEntryId(r.getEntryId())
                                .setSvid(FakeServer.svid(
                                        WORKLOAD_ID.toString(), issue(WORKLOAD_ID, r.getCsr(), Duration.ofHours(1))))));
                return response.build();
            };
            server.watch = (request, stream) -> stream.onNext(WatchAuthorizedResponse.newBuilder()
                    .setRevision(1)
                    .setFullSnapshot(true)
                    .setLastPage(true)
                    .addUpserted(workloadEntry())
                    .setBundle(FakeServer.bundle(DOMAIN.name(), 1, CA.certificate()))
                    .build());
            port = server.listenTls(CA);
        }
    }

    private static Entry workloadEntry() {
        int uid;
        try {
            uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Entry.newBuilder()
                .setId("workload")
                .setSpiffeId(WORKLOAD_ID.toString())
                .addSelectors(Selector.newBuilder().setType("unix").setValue("uid:" + uid))
                .setRevision(1)
                .setCreatedAt(1)
                .build();
    }

    private static List<X509Certificate> issue(SpiffeId id, ByteString csr, Duration ttl) {
        try {
            PublicKey key = new JcaPKCS10CertificationRequest(csr.toByteArray()).getPublicKey();
            Instant now = Instant.now();
            return CA.issue(
                            new TestPki.Profile(false, id, List.of()),
                            new KeyPair(key, null),
                            now.minusSeconds(1),
                            now.plus(ttl))
                    .chain();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
