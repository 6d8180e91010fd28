package io.meshca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Csrs;
import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.tls.SpiffeSslContexts;
import io.meshca.common.tls.SvidKeyManager;
import io.meshca.proto.server.v1.AgentGrpc;
import io.meshca.proto.server.v1.BatchSignX509SvidsRequest;
import io.meshca.proto.server.v1.BatchSignX509SvidsResponse;
import io.meshca.proto.server.v1.RenewAgentSvidRequest;
import io.meshca.proto.server.v1.SvidSigningRequest;
import io.meshca.proto.server.v1.SvidSigningResult;
import io.meshca.proto.server.v1.WatchAuthorizedRequest;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.server.CaServer;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.testing.AgentApiClient;
import io.meshca.server.testing.AgentApiClient.AttestedAgent;
import io.meshca.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CaServer on real sockets (TCP port 0, a temp admin socket), driven by the generated stubs as an agent would. */
class AgentApiEndToEndTest {

    @TempDir
    Path dir;

    private TestServer server;
    private AgentApiClient agentApi;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir);
        agentApi = new AgentApiClient(server);
    }

    @AfterEach
    void stop() throws Exception {
        agentApi.close();
        server.close();
    }

    @Test
    void attestWatchSign_endToEnd() throws Exception {
        String token = server.generateJoinToken(
                Duration.ofMinutes(10), Optional.of(SpiffeId.parse("spiffe://example.org/node1")));
        AttestedAgent agent = agentApi.attest(token);
        assertThat(agent.id().path()).startsWith("/meshca/agent/join_token/");
        assertThat(Certificates.spiffeId(agent.identity().leaf())).contains(agent.id());

        RegistrationEntry existing = server.createEntry(
                SpiffeId.parse("spiffe://example.org/web"),
                SpiffeId.parse("spiffe://example.org/node1"),
                SelectorSet.of(Selector.parse("unix:uid:1000")),
                Duration.ZERO);

        // Watch: the snapshot holds the existing entry and the bundle...
        LinkedBlockingQueue<Object> watched = agentApi.watch(
                agent, WatchAuthorizedRequest.newBuilder().setPageSize(1).build());
        WatchAuthorizedResponse snapshot = (WatchAuthorizedResponse) watched.poll(20, TimeUnit.SECONDS);
        assertThat(snapshot).isNotNull();
        assertThat(snapshot.getFullSnapshot()).isTrue();
        assertThat(snapshot.getLastPage()).isTrue();
        assertThat(snapshot.getUpsertedList()).extracting(e -> e.getId()).containsExactly(existing.id());
        assertThat(snapshot.getBundle().getX509AuthoritiesCount()).isEqualTo(1);

        // ...and a new entry is pushed at once: well before the change feed's safety poll would find it.
        long createdAt = System.nanoTime();
        RegistrationEntry added = server.createEntry(
                SpiffeId.parse("spiffe://example.org/api"),
                agent.id(),
                SelectorSet.of(Selector.parse("unix:uid:1001")),
                Duration.ofMinutes(5));
        WatchAuthorizedResponse delta = (WatchAuthorizedResponse) watched.poll(20, TimeUnit.SECONDS);
        long pushMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - createdAt);
        assertThat(delta.getFullSnapshot()).isFalse();
        assertThat(delta.getUpsertedList()).extracting(e -> e.getId()).containsExactly(added.id());
        assertThat(delta.getRevision()).isGreaterThan(snapshot.getRevision());
        assertThat(pushMillis).isLessThan(CaServer.CHANGE_FEED_SAFETY_POLL.toMillis());

        // An entry of another agent is never pushed; a deletion of ours is.
        server.createEntry(
                SpiffeId.parse("spiffe://example.org/other"),
                SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/someoneelse"),
                SelectorSet.of(Selector.parse("unix:uid:1")),
                Duration.ZERO);
        server.deleteEntry(added.id());
        WatchAuthorizedResponse deletion = (WatchAuthorizedResponse) watched.poll(20, TimeUnit.SECONDS);
        assertThat(deletion.getUpsertedList()).isEmpty();
        assertThat(deletion.getDeletedEntryIdsList()).containsExactly(added.id());

        // Batch sign: authorized entry gets an SVID with the entry's identity; a foreign one is denied.
        KeyPair workloadKey = Keys.generateEcP256();
        RegistrationEntry foreign = server.createEntry(
                SpiffeId.parse("spiffe://example.org/secret"),
                SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/other"),
                SelectorSet.of(Selector.parse("unix:uid:2")),
                Duration.ZERO);
        CompletableFuture<List<SvidSigningResult>> signed = new CompletableFuture<>();
        agentApi.agentStub(agent)
                .batchSignX509Svids(
                        BatchSignX509SvidsRequest.newBuilder()
                                .addRequests(SvidSigningRequest.newBuilder()
                                        .setEntryId(existing.id())
                                        .setCsr(ByteString.copyFrom(Csrs.create(workloadKey))))
                                .addRequests(SvidSigningRequest.newBuilder()
                                        .setEntryId(foreign.id())
                                        .setCsr(ByteString.copyFrom(Csrs.create(workloadKey))))
                                .addRequests(SvidSigningRequest.newBuilder()
                                        .setEntryId(existing.id())
                                        .setCsr(ByteString.copyFrom(new byte[] {1, 2, 3})))
                                .build(),
                        observer(signed));
        List<SvidSigningResult> results = signed.get(20, TimeUnit.SECONDS);
        X509Certificate leaf =
                Certificates.parse(results.get(0).getSvid().getCertChain(0).toByteArray());
        assertThat(Certificates.spiffeId(leaf)).contains(SpiffeId.parse("spiffe://example.org/web"));
        assertThat(leaf.getPublicKey()).isEqualTo(workloadKey.getPublic());
        leaf.verify(server.trustBundle().get(0).getPublicKey());
        assertThat(results.get(1).getErrorCode()).isEqualTo("PERMISSION_DENIED");
        assertThat(results.get(1).hasSvid()).isFalse();
        assertThat(results.get(2).getErrorCode()).isEqualTo("INVALID_ARGUMENT");
    }

    @Test
    void reusedToken_isRefused_sayingSo() throws Exception {
        String token = server.generateJoinToken(Duration.ofMinutes(10), Optional.empty());
        agentApi.attest(token);

        assertThatThrownBy(() -> agentApi.attest(token)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).isEqualTo("join token was already used");
        });
    }

    @Test
    void agentApi_withoutAgentSvid_isUnauthenticated() throws Exception {
        var stub = AgentGrpc.newBlockingStub(
                agentApi.channel(SpiffeSslContexts.clientWithoutIdentity(agentApi.trustServer())));

        assertThatThrownBy(() -> stub.renewAgentSvid(RenewAgentSvidRequest.newBuilder()
                        .setCsr(ByteString.copyFrom(Csrs.create(Keys.generateEcP256())))
                        .build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void bannedAgent_cannotRenew() throws Exception {
        AttestedAgent agent = agentApi.attest(server.generateJoinToken(Duration.ofMinutes(10), Optional.empty()));
        var stub = AgentGrpc.newBlockingStub(agentApi.channel(
                SpiffeSslContexts.client(new SvidKeyManager(agent::identity), agentApi.trustServer())));
        var renewed = stub.renewAgentSvid(RenewAgentSvidRequest.newBuilder()
                .setCsr(ByteString.copyFrom(Csrs.create(Keys.generateEcP256())))
                .build());
        assertThat(renewed.getSvid().getSpiffeId()).isEqualTo(agent.id().toString());

        server.admin().banAgent(agent.id());

        assertThatThrownBy(() -> stub.renewAgentSvid(RenewAgentSvidRequest.newBuilder()
                        .setCsr(ByteString.copyFrom(Csrs.create(Keys.generateEcP256())))
                        .build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("agent is banned");
                });
    }

    @Test
    void adminSocket_is0600_inA0700Directory() throws Exception {
        Function<Set<PosixFilePermission>, String> perms = PosixFilePermissions::toString;
        assertThat(perms.apply(Files.getPosixFilePermissions(server.adminSocketPath())))
                .isEqualTo("rw-------");
        assertThat(perms.apply(
                        Files.getPosixFilePermissions(server.adminSocketPath().getParent())))
                .isEqualTo("rwx------");
    }

    @Test
    void secondServerOnTheSameAdminSocket_isRefused_andTheFirstKeepsServing() throws Exception {
        var second = server.config().toBuilder().dataDir(dir.resolve("data2")).build();

        assertThatThrownBy(() -> CaServer.start(second))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is in use by a running server");
        assertThat(dir.resolve("data2")).doesNotExist();
        assertThat(Files.exists(server.adminSocketPath())).isTrue();
        assertThat(agentApi.attest(server.generateJoinToken(Duration.ofMinutes(1), Optional.empty()))
                        .id())
                .isNotNull();
    }

    @Test
    void banningAnAgent_endsItsWatch() throws Exception {
        AttestedAgent agent = agentApi.attest(server.generateJoinToken(Duration.ofMinutes(10), Optional.empty()));
        LinkedBlockingQueue<Object> watched = agentApi.watch(agent, WatchAuthorizedRequest.getDefaultInstance());
        assertThat(watched.poll(20, TimeUnit.SECONDS)).isInstanceOf(WatchAuthorizedResponse.class);

        server.admin().banAgent(agent.id());

        Object end = watched.poll(20, TimeUnit.SECONDS);
        assertThat(end).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).isEqualTo("agent is banned");
        });
    }

    @Test
    void restart_keepsTheSameCa() throws Exception {
        String before = server.trustBundlePem();
        server.close();
        server = TestServer.start(server.config().toBuilder().keyManager("disk").build());
        String created = server.trustBundlePem();
        server.close();
        server = TestServer.start(server.config());

        assertThat(server.trustBundlePem()).isEqualTo(created);
        assertThat(created).isNotEqualTo(before); // the memory key of the first run is gone, so a new CA was made
    }

    private static StreamObserver<BatchSignX509SvidsResponse> observer(
            CompletableFuture<List<SvidSigningResult>> into) {
        return new StreamObserver<>() {
            @Override
            public void onNext(BatchSignX509SvidsResponse r) {
                into.complete(r.getResultsList());
            }

            @Override
            public void onError(Throwable t) {
                into.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
        };
    }
}
