package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.FakeServer;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.files.DataDir;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent checks everything local before it attests: a join token is single-use, and an agent that
 * attested but cannot keep its SVID or serve its socket has spent it and left a dead agent registered.
 * The fake server records every attestation attempt.
 */
class NodeAgentStartChecksTest {

    private static final TrustDomain DOMAIN = TrustDomain.parse("example.org");
    private static final TestPki.Authority CA = TestPki.root(DOMAIN);

    @TempDir
    Path tmp;

    private FakeServer server;
    private AgentConfig.Builder config;

    @BeforeEach
    void startFakeServer() throws Exception {
        server = new FakeServer();
        server.attestFailure = Status.PERMISSION_DENIED.withDescription("refused by the test");
        Path bundle = Files.writeString(tmp.resolve("bundle.pem"), Pem.encodeCertificates(List.of(CA.certificate())));
        config = AgentConfig.builder()
                .serverPort(server.listenTls(CA))
                .trustBundle(bundle)
                .joinToken("single-use-token")
                .dataDir(tmp.resolve("data"))
                .socketPath(tmp.resolve("public/api.sock"));
    }

    @AfterEach
    void stopFakeServer() {
        server.close();
    }

    @Test
    void usableDataDirAndSocket_reachTheServer() {
        // the control for the tests below: this setup does attest (and the fake refuses)
        assertThatThrownBy(() -> NodeAgent.start(config.build())).isInstanceOf(MeshcaException.class);

        assertThat(server.attestRequests).hasSize(1);
    }

    @Test
    void attestedAgent_keepsEverythingInItsDataDirOwnerOnly_andHoldsTheDirUntilClosed() throws Exception {
        SpiffeId agentId = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/t1");
        server.attestFailure = null;
        server.attest = request -> FakeServer.result(
                FakeServer.svid(
                        agentId.toString(),
                        issue(agentId, request.getParams().getCsr().toByteArray())),
                FakeServer.bundle(DOMAIN.name(), 1, CA.certificate()));
        Path data = tmp.resolve("data");

        try (NodeAgent agent = NodeAgent.start(config.build())) {
            List<Path> files;
            try (Stream<Path> list = Files.list(data)) {
                files = list.toList();
            }
            assertThat(files)
                    .extracting(f -> f.getFileName().toString())
                    .contains("agent_svid.pem", "agent_svid.key", "bundle.pem", "meshca.lock");
            assertThat(files)
                    .allSatisfy(f -> assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------"));
            assertThat(mode(data)).isEqualTo("rwx------");
            assertThatThrownBy(() -> DataDir.open(data, "agent", "-dataDir")).hasMessageContaining("is in use by");
        }
        DataDir.open(data, "agent", "-dataDir").close();
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static List<X509Certificate> issue(SpiffeId id, byte[] csr) {
        try {
            PublicKey key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
            Instant now = Instant.now();
            return CA.issue(
                            new TestPki.Profile(false, id, List.of()),
                            new KeyPair(key, null),
                            now.minusSeconds(10),
                            now.plus(Duration.ofHours(1)))
                    .chain();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void dataDirOpenToOthers_isRefused_withoutAttesting() throws Exception {
        Path data = Files.createDirectory(tmp.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxr-x"));

        assertThatThrownBy(() -> NodeAgent.start(config.build()))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageEndingWith("run chmod 700 " + data);
        assertThat(server.attestRequests).isEmpty();
    }

    @Test
    void uncreatableDataDir_isRefused_withoutAttesting() throws Exception {
        Files.writeString(tmp.resolve("file"), "x");
        Path data = tmp.resolve("file/data");

        assertThatThrownBy(() -> NodeAgent.start(config.dataDir(data).build()))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageStartingWith("cannot create data dir " + data + ": ");
        assertThat(server.attestRequests).isEmpty();
    }

    @Test
    void dataDirInUse_isRefusedNamingTheHolder_withoutAttesting() {
        try (DataDir held = DataDir.open(tmp.resolve("data"), "agent", "-dataDir")) {
            assertThatThrownBy(() -> NodeAgent.start(config.build()))
                    .isInstanceOf(FailedPreconditionException.class)
                    .hasMessageContaining("is in use by meshca agent pid "
                            + ProcessHandle.current().pid());
        }
        assertThat(server.attestRequests).isEmpty();
    }

    @Test
    void unbindableSocket_isRefused_withoutAttesting_andTheDataDirIsFreedAgain() throws Exception {
        Files.writeString(tmp.resolve("notadir"), "x");
        Path socket = tmp.resolve("notadir/api.sock");

        assertThatThrownBy(() -> NodeAgent.start(config.socketPath(socket).build()))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining(socket.toString());
        assertThat(server.attestRequests).isEmpty();
        DataDir.open(tmp.resolve("data"), "agent", "-dataDir").close();
    }

    @Test
    void socketPathTooLongForUnixSockets_isRefused_withoutAttesting() throws Exception {
        Path socket = Files.createDirectories(tmp.resolve("d".repeat(120))).resolve("api.sock");

        assertThatThrownBy(() -> NodeAgent.start(config.socketPath(socket).build()))
                .isInstanceOf(UnavailableException.class)
                .hasMessageStartingWith("cannot serve on unix socket " + socket);
        assertThat(server.attestRequests).isEmpty();
        assertThat(socket).doesNotExist();
    }

    @Test
    void rebootstrapWithoutAToken_isRefused_withoutTouchingTheDataDir() {
        AgentConfig noToken = AgentConfig.builder()
                .serverPort(1)
                .dataDir(tmp.resolve("data"))
                .socketPath(tmp.resolve("public/api.sock"))
                .rebootstrap(true)
                .build();

        assertThatThrownBy(() -> NodeAgent.start(noToken))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageStartingWith("-rebootstrap attests again and needs a join token");
        assertThat(tmp.resolve("data")).doesNotExist();
    }
}
