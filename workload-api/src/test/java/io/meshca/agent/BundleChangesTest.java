package io.meshca.agent;

import static io.meshca.agent.testing.InProcessServices.fixedCaller;
import static io.meshca.agent.testing.InProcessServices.withSecurityHeader;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptors;
import io.grpc.stub.StreamObserver;
import io.meshca.agent.api.SecurityHeaderInterceptor;
import io.meshca.agent.api.WorkloadApiService;
import io.meshca.agent.cache.SvidCache;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.client.AuthorizedEntryWatcher;
import io.meshca.agent.client.ServerClient;
import io.meshca.agent.client.WatchApplier;
import io.meshca.agent.identity.AgentCredentials;
import io.meshca.agent.identity.AgentSvid;
import io.meshca.agent.jwt.JwtSvidCache;
import io.meshca.agent.jwt.JwtSvidFetcher;
import io.meshca.agent.retry.Backoff;
import io.meshca.agent.rotation.AgentSvidRotator;
import io.meshca.agent.rotation.IssuedBatch;
import io.meshca.agent.rotation.SvidRotator;
import io.meshca.agent.sds.SdsSettings;
import io.meshca.agent.sds.SecretDiscoveryService;
import io.meshca.agent.storage.AgentSvidStore;
import io.meshca.agent.testing.EnvoyLikeSdsClient;
import io.meshca.agent.testing.FakeServer;
import io.meshca.agent.testing.InProcessServices;
import io.meshca.agent.testing.Poll;
import io.meshca.agent.testing.SdsSecrets;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.KeyIdentifiers;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.meshca.proto.server.v1.BatchSignX509SvidsRequest;
import io.meshca.proto.server.v1.BatchSignX509SvidsResponse;
import io.meshca.proto.server.v1.Bundle;
import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.RenewAgentSvidResponse;
import io.meshca.proto.server.v1.SvidSigningResult;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.proto.workload.SpiffeWorkloadAPIGrpc;
import io.meshca.proto.workload.X509BundlesRequest;
import io.meshca.proto.workload.X509BundlesResponse;
import io.meshca.proto.workload.X509SVIDRequest;
import io.meshca.proto.workload.X509SVIDResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's answer to a bundle that taints or drops an authority, from the watch stream to what
 * workloads hold: the agent's parts wired as {@link NodeAgent} wires them, on real threads, against a
 * fake ca-server that signs with whichever authority the test makes current, and workloads reading the
 * Workload API and SDS in-process.
 */
class BundleChangesTest {

    private static final TrustDomain DOMAIN = TrustDomain.parse("example.org");
    private static final SpiffeId AGENT_ID = DOMAIN.withPath("/meshca/agent/join_token/t1");
    private static final SelectorSet WORKLOAD = SelectorSet.of(Selector.parse("unix:uid:1000"));
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final InProcessServices services = new InProcessServices();

    @TempDir
    Path dataDir;

    private final TestPki.Authority oldCa = TestPki.root(DOMAIN);
    private final TestPki.Authority newCa = otherRootThan(oldCa);
    private volatile TestPki.Authority signingCa = oldCa;
    private final Map<String, SpiffeId> entries = new ConcurrentHashMap<>();
    private final List<IssuedBatch> issued = new CopyOnWriteArrayList<>();
    private final List<AgentSvid> agentSvids = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService rotation = Executors.newSingleThreadScheduledExecutor();
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    private FakeServer server;
    private StreamObserver<WatchAuthorizedResponse> watch;
    private AgentCredentials credentials;
    private AgentSvidStore store;
    private JwtSvidCache jwtSvids;
    private SvidRotator svidRotator;
    private AgentSvidRotator agentRotator;
    private AuthorizedEntryWatcher watcher;
    private ManagedChannel workloadChannel;

    @BeforeEach
    void startAgent() throws Exception {
        server = new FakeServer();
        server.batchSign = this::sign;
        server.renewAgentSvid = request -> RenewAgentSvidResponse.newBuilder()
                .setSvid(FakeServer.svid(AGENT_ID.toString(), issue(AGENT_ID, request.getCsr())))
                .build();
        server.watch = (request, stream) -> {
            watch = stream;
            stream.onNext(WatchAuthorizedResponse.newBuilder()
                    .setRevision(1)
                    .setFullSnapshot(true)
                    .setLastPage(true)
                    .addUpserted(entry("web", "/web"))
                    .addUpserted(entry("db", "/db"))
                    .setBundle(FakeServer.bundle(DOMAIN.name(), 1, oldCa.certificate()))
                    .build());
        };

        TestPki.Leaf agentLeaf = oldCa.leaf(AGENT_ID);
        TrustBundle initial = new TrustBundle(DOMAIN, List.of(oldCa.certificate()), 1);
        Clock clock = Clock.systemUTC();
        credentials = new AgentCredentials(
                new AgentSvid(agentLeaf.chain(), agentLeaf.keyPair().getPrivate()), initial, clock);
        store = new AgentSvidStore(dataDir, DOMAIN);
        store.save(credentials.svid(), initial);
        ServerClient client = new ServerClient(server.channel, server.channel, Duration.ofSeconds(5));
        SvidCache cache = new SvidCache(initial, clock);
        svidRotator = new SvidRotator(
                cache, client, clock, rotation, new SplittableRandom(1), Backoff.DEFAULT, 100, issued::add);
        agentRotator = new AgentSvidRotator(
                credentials,
                client,
                () -> {
                    throw new FailedPreconditionException("not in this test");
                },
                store,
                clock,
                background,
                new SplittableRandom(2),
                Backoff.DEFAULT,
                agentSvids::add);
        jwtSvids = new JwtSvidCache(jwtMinter(), clock, 100);
        watcher = new AuthorizedEntryWatcher(
                server.channel,
                new WatchApplier(new UpdateDispatcher(
                        cache, credentials, store, svidRotator, agentRotator, jwtSvids, AgentEvents.NONE)),
                cache::revision,
                background,
                new SplittableRandom(3),
                Backoff.DEFAULT,
                0);
        svidRotator.start();
        agentRotator.start();
        watcher.start();
        workloadChannel = services.start(
                ServerInterceptors.intercept(
                        new WorkloadApiService(cache), fixedCaller(WORKLOAD), new SecurityHeaderInterceptor()),
                ServerInterceptors.intercept(
                        new SecretDiscoveryService(cache, SdsSettings.DEFAULTS), fixedCaller(WORKLOAD)));
    }

    @AfterEach
    void stopAgent() {
        watcher.close();
        svidRotator.close();
        agentRotator.close();
        rotation.shutdownNow();
        background.shutdownNow();
        server.close();
    }

    @Test
    void taint_reissuesEverySvidItSigned_andPushesThemToStreamsAndSds_andRenewsTheAgentSvid() throws Exception {
        Messages<X509SVIDResponse> svids = new Messages<>();
        workloadApi().fetchX509SVID(X509SVIDRequest.getDefaultInstance(), svids);
        X509SVIDResponse before = svids.await("both SVIDs", r -> r.getSvidsCount() == 2);
        assertThat(issuers(before))
                .containsOnly(oldCa.certificate().getSubjectX500Principal().getName());
        EnvoyLikeSdsClient envoy = EnvoyLikeSdsClient.open(workloadChannel, WAIT);
        envoy.send(sdsRequest(null, "default"));
        DiscoveryResponse sdsBefore = envoy.next();
        String jwtBefore =
                jwtSvids.fetch("web", entries.get("web"), "", List.of("a")).token();

        signingCa = newCa;
        Instant tainted = Instant.now();
        push(
                2,
                FakeServer.bundle(DOMAIN.name(), 2, oldCa.certificate(), newCa.certificate()).toBuilder()
                        .addTaintedX509AuthorityIds(ski(oldCa))
                        .addTaintedJwtKeyIds("kid-old")
                        .build());

        X509SVIDResponse after = svids.await(
                "SVIDs signed by the new authority",
                r -> r.getSvidsCount() == 2
                        && issuers(r)
                                .equals(Set.of(newCa.certificate()
                                        .getSubjectX500Principal()
                                        .getName())));
        Duration delivered = Duration.between(tainted, Instant.now());
        assertThat(delivered).isLessThan(WAIT);
        // the event follows the push: the stream may see the SVIDs a moment before it is told
        IssuedBatch replaced = Poll.until(
                "the batch replacing the tainted SVIDs",
                WAIT,
                () -> issued.stream()
                        .filter(IssuedBatch::replacedTainted)
                        .findFirst()
                        .orElse(null));
        assertThat(replaced.entryIds()).containsExactlyInAnyOrder("web", "db");
        assertThat(after.getSvids(0).getBundle())
                .isNotEqualTo(before.getSvids(0).getBundle());

        envoy.send(ack(sdsBefore, "default"));
        DiscoveryResponse sdsAfter = envoy.next();
        assertThat(SdsSecrets.leaf(sdsAfter).getIssuerX500Principal())
                .isEqualTo(newCa.certificate().getSubjectX500Principal());

        AgentSvid renewedAgentSvid = awaitAgentSvidIssuedBy(newCa);
        assertThat(store.load().orElseThrow().svid().serial()).isEqualTo(renewedAgentSvid.serial());

        assertThat(jwtSvids.fetch("web", entries.get("web"), "", List.of("a")).token())
                .as("the JWT-SVID signed by the tainted key is minted again")
                .isNotEqualTo(jwtBefore);
        envoy.close();
    }

    @Test
    void revoke_givesEveryBundleStreamSdsAndTheAgentItselfTheBundleWithoutTheAuthority() throws Exception {
        Messages<X509BundlesResponse> bundles = new Messages<>();
        workloadApi().fetchX509Bundles(X509BundlesRequest.getDefaultInstance(), bundles);
        bundles.await("the bundle with the old authority", r -> bundleOf(r).equals(List.of(oldCa.certificate())));
        EnvoyLikeSdsClient envoy = EnvoyLikeSdsClient.open(workloadChannel, WAIT);
        envoy.send(sdsRequest(null, SdsSettings.DEFAULT_BUNDLE_NAME));
        DiscoveryResponse rootCaBefore = envoy.next();
        assertThat(SdsSecrets.trustedCa(rootCaBefore)).containsExactly(oldCa.certificate());

        // rotation: both authorities for a while, then the old one is revoked
        push(2, FakeServer.bundle(DOMAIN.name(), 2, oldCa.certificate(), newCa.certificate()));
        bundles.await("both authorities", r -> bundleOf(r).size() == 2);
        push(3, FakeServer.bundle(DOMAIN.name(), 3, newCa.certificate()));

        bundles.await(
                "the bundle without the revoked authority", r -> bundleOf(r).equals(List.of(newCa.certificate())));
        envoy.send(ack(rootCaBefore, SdsSettings.DEFAULT_BUNDLE_NAME));
        DiscoveryResponse rootCa = envoy.next();
        if (SdsSecrets.trustedCa(rootCa).size() == 2) { // the intermediate bundle may have been pushed first
            envoy.send(ack(rootCa, SdsSettings.DEFAULT_BUNDLE_NAME));
            rootCa = envoy.next();
        }
        assertThat(SdsSecrets.trustedCa(rootCa)).containsExactly(newCa.certificate());
        assertThat(credentials.bundle().x509Authorities())
                .as("the agent's own connection trusts only what the bundle holds")
                .containsExactly(newCa.certificate());
        assertThat(store.load().orElseThrow().bundle().x509Authorities()).containsExactly(newCa.certificate());
        envoy.close();
    }

    // --- the fake server's side

    private Entry entry(String id, String path) {
        SpiffeId spiffeId = DOMAIN.withPath(path);
        entries.put(id, spiffeId);
        return Entry.newBuilder()
                .setId(id)
                .setSpiffeId(spiffeId.toString())
                .addSelectors(io.meshca.proto.server.v1.Selector.newBuilder()
                        .setType("unix")
                        .setValue("uid:1000"))
                .setRevision(1)
                .setCreatedAt(entries.size())
                .build();
    }

    private void push(long revision, Bundle bundle) {
        watch.onNext(WatchAuthorizedResponse.newBuilder()
                .setRevision(revision)
                .setLastPage(true)
                .setBundle(bundle)
                .build());
    }

    private BatchSignX509SvidsResponse sign(BatchSignX509SvidsRequest request) {
        BatchSignX509SvidsResponse.Builder response = BatchSignX509SvidsResponse.newBuilder();
        request.getRequestsList().forEach(r -> {
            SpiffeId id = entries.get(r.getEntryId());
            response.addResults(SvidSigningResult.newBuilder()
                    .setEntryId(r.getEntryId())
                    .setSvid(FakeServer.svid(id.toString(), issue(id, r.getCsr()))));
        });
        return response.build();
    }

    private List<X509Certificate> issue(SpiffeId id, ByteString csr) {
        try {
            PublicKey key = new JcaPKCS10CertificationRequest(csr.toByteArray()).getPublicKey();
            Instant now = Instant.now();
            return signingCa
                    .issue(
                            new TestPki.Profile(false, id, List.of()),
                            new KeyPair(key, null),
                            now.minusSeconds(10),
                            now.plus(Duration.ofHours(1)))
                    .chain();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** JWT-SVIDs whose kid is that of the current signing authority's era: old, then new. */
    private JwtSvidFetcher jwtMinter() {
        return (entryId, audience) -> {
            String kid = signingCa == oldCa ? "kid-old" : "kid-new";
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String token =
                    b64.encodeToString(("{\"alg\":\"ES256\",\"kid\":\"" + kid + "\"}").getBytes(StandardCharsets.UTF_8))
                            + "."
                            + b64.encodeToString(
                                    ("{\"sub\":\"" + entries.get(entryId) + "\"}").getBytes(StandardCharsets.UTF_8))
                            + "." + b64.encodeToString(new byte[] {1});
            return new JwtSvidFetcher.Token(token, Instant.now().plus(Duration.ofMinutes(5)));
        };
    }

    // --- the workloads' side

    private SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIStub workloadApi() {
        return SpiffeWorkloadAPIGrpc.newStub(workloadChannel).withInterceptors(withSecurityHeader());
    }

    private static Set<String> issuers(X509SVIDResponse response) {
        return response.getSvidsList().stream()
                .map(svid -> Certificates.parseConcatenated(svid.getX509Svid().toByteArray())
                        .get(0)
                        .getIssuerX500Principal()
                        .getName())
                .collect(java.util.stream.Collectors.toSet());
    }

    private List<X509Certificate> bundleOf(X509BundlesResponse response) {
        return Certificates.parseConcatenated(
                response.getBundlesOrThrow(DOMAIN.id().toString()).toByteArray());
    }

    /** The agent SVID in use once the rotator reported one issued by {@code authority}. */
    private AgentSvid awaitAgentSvidIssuedBy(TestPki.Authority authority) throws InterruptedException {
        AgentSvid renewed = Poll.until(
                "an agent SVID issued by the new authority",
                WAIT,
                () -> agentSvids.stream()
                        .filter(svid -> svid.leaf()
                                .getIssuerX500Principal()
                                .equals(authority.certificate().getSubjectX500Principal()))
                        .findFirst()
                        .orElse(null));
        assertThat(credentials.svid()).isEqualTo(renewed);
        return renewed;
    }

    private static DiscoveryRequest sdsRequest(DiscoveryResponse acked, String name) {
        DiscoveryRequest.Builder request = DiscoveryRequest.newBuilder()
                .setTypeUrl("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret")
                .addResourceNames(name);
        if (acked != null) {
            request.setResponseNonce(acked.getNonce()).setVersionInfo(acked.getVersionInfo());
        }
        return request.build();
    }

    private static DiscoveryRequest ack(DiscoveryResponse response, String name) {
        return sdsRequest(response, name);
    }

    private static String ski(TestPki.Authority authority) {
        return KeyIdentifiers.subjectKeyId(authority.certificate()).orElseThrow();
    }

    /** A root with another key than {@code ca} (TestPki reuses a pool of keys). */
    private static TestPki.Authority otherRootThan(TestPki.Authority ca) {
        TestPki.Authority root = TestPki.root(DOMAIN);
        while (root.keyPair().getPublic().equals(ca.keyPair().getPublic())) {
            root = TestPki.root(DOMAIN);
        }
        return root;
    }

    /** A server stream's messages, as they arrive on the agent's threads. */
    private static final class Messages<T> implements StreamObserver<T> {
        private final BlockingQueue<T> queue = new LinkedBlockingQueue<>();

        /** Waits for a message that satisfies {@code wanted}, skipping the others. */
        T await(String what, Predicate<T> wanted) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                T message = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertThat(message)
                        .as("a message with %s within %s", what, WAIT)
                        .isNotNull();
                if (wanted.test(message)) {
                    return message;
                }
            }
        }

        @Override
        public void onNext(T value) {
            queue.add(value);
        }

        @Override
        public void onError(Throwable error) {}

        @Override
        public void onCompleted() {}
    }
}
