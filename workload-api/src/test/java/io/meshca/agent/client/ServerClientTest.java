package io.meshca.agent.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.meshca.agent.attestation.node.JoinTokenAttestor;
import io.meshca.agent.rotation.SvidSigner;
import io.meshca.agent.testing.FakeServer;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.pki.Csrs;
import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.meshca.proto.server.v1.AttestResponse;
import io.meshca.proto.server.v1.BatchSignX509SvidsResponse;
import io.meshca.proto.server.v1.SvidSigningResult;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServerClientTest {

    private static final TrustDomain DOMAIN = TrustDomain.parse("example.org");
    private static final TestPki.Authority CA = TestPki.root(DOMAIN);
    private static final SpiffeId AGENT_ID = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/t1");

    private final FakeServer server = new FakeServer();
    private final ServerClient client = new ServerClient(server.channel, server.channel, Duration.ofSeconds(5));

    ServerClientTest() throws Exception {}

    @AfterEach
    void close() {
        server.close();
    }

    /** What the join_token node attestor hands the client: its type and the token as UTF-8. */
    private ServerClient.Attested attestWithJoinToken(String token, KeyPair key) {
        JoinTokenAttestor attestor = new JoinTokenAttestor(token);
        return client.attest(attestor.type(), attestor.payload().orElseThrow(), key);
    }

    @Test
    void attest_sendsTheJoinTokenAndACsrForTheAgentsKey_andReturnsSvidAndBundle() throws Exception {
        KeyPair key = TestPki.keyPair();
        TestPki.Leaf leaf = CA.leaf(AGENT_ID);
        server.attest = request -> FakeServer.result(
                FakeServer.svid(AGENT_ID.toString(), leaf.chain()),
                FakeServer.bundle("example.org", 3, CA.certificate()));

        ServerClient.Attested attested = attestWithJoinToken("tok-123", key);

        var params = server.attestRequests.get(0).getParams();
        assertThat(params.getData().getType()).isEqualTo("join_token");
        assertThat(params.getData().getPayload().toString(StandardCharsets.UTF_8))
                .isEqualTo("tok-123");
        PKCS10CertificationRequest csr =
                new PKCS10CertificationRequest(params.getCsr().toByteArray());
        assertThat(csr.getSubjectPublicKeyInfo().getEncoded())
                .isEqualTo(key.getPublic().getEncoded());
        assertThat(attested.svid().spiffeId()).isEqualTo(AGENT_ID);
        assertThat(attested.svid().privateKey()).isEqualTo(key.getPrivate());
        assertThat(attested.bundle().x509Authorities()).containsExactly(CA.certificate());
        assertThat(attested.bundle().sequence()).isEqualTo(3);
    }

    @Test
    void aChallenge_isAnsweredOnTheSameStream_beforeTheResult() {
        TestPki.Leaf leaf = CA.leaf(AGENT_ID);
        server.attest = request -> request.hasParams()
                ? AttestResponse.newBuilder()
                        .setChallenge(ByteString.copyFromUtf8("nonce-1"))
                        .build()
                : FakeServer.result(
                        FakeServer.svid(AGENT_ID.toString(), leaf.chain()),
                        FakeServer.bundle("example.org", 1, CA.certificate()));

        ServerClient.Attested attested = client.attest(
                "x509pop",
                new byte[] {1},
                TestPki.keyPair(),
                challenge -> ("signed " + new String(challenge, UTF_8)).getBytes(UTF_8));

        assertThat(attested.svid().spiffeId()).isEqualTo(AGENT_ID);
        assertThat(server.attestRequests).hasSize(2);
        assertThat(server.attestRequests.get(1).getChallengeResponse().toStringUtf8())
                .isEqualTo("signed nonce-1");
    }

    @Test
    void aChallengeTheAttestorCannotAnswer_failsWithItsReason() {
        server.attest = request -> AttestResponse.newBuilder()
                .setChallenge(ByteString.copyFromUtf8("sign this"))
                .build();

        assertThatThrownBy(() -> client.attest("x509pop", new byte[] {1}, TestPki.keyPair(), challenge -> {
                    throw new InvalidArgumentException("not a challenge of ours");
                }))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("not a challenge of ours");
        assertThatThrownBy(() -> attestWithJoinToken("tok-123", TestPki.keyPair()))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessage("the server sent an attestation challenge, which join_token attestation does not answer");
    }

    @Test
    void refusedToken_failsWithTheServersReason() {
        server.attestFailure = Status.PERMISSION_DENIED.withDescription("join token was already used");

        assertThatThrownBy(() -> attestWithJoinToken("tok-used", TestPki.keyPair()))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage("node attestation failed: join token was already used")
                .hasMessageNotContaining("tok-used");
    }

    @Test
    void svidLabelledWithAnotherIdThanItCarries_isRejected() {
        TestPki.Leaf leaf = CA.leaf(AGENT_ID);
        server.attest = request -> FakeServer.result(
                FakeServer.svid("spiffe://example.org/other", leaf.chain()),
                FakeServer.bundle("example.org", 1, CA.certificate()));

        assertThatThrownBy(() -> attestWithJoinToken("tok", TestPki.keyPair()))
                .hasMessageContaining("labelled spiffe://example.org/other");
    }

    @Test
    void batchSign_returnsOneResultPerRequest_failuresKeepTheirReason() {
        SpiffeId web = DOMAIN.withPath("/web");
        TestPki.Leaf leaf = CA.leaf(web);
        server.batchSign = request -> BatchSignX509SvidsResponse.newBuilder()
                .addResults(SvidSigningResult.newBuilder()
                        .setEntryId("a")
                        .setSvid(FakeServer.svid(web.toString(), leaf.chain())))
                .addResults(SvidSigningResult.newBuilder()
                        .setEntryId("b")
                        .setErrorCode("PERMISSION_DENIED")
                        .setErrorMessage("entry b is not authorized for this agent"))
                .build();
        byte[] csr = Csrs.create(Keys.generateEcP256());

        List<SvidSigner.Result> results =
                client.sign(List.of(new SvidSigner.Request("a", csr), new SvidSigner.Request("b", csr)));

        assertThat(results.get(0).ok()).isTrue();
        assertThat(results.get(0).chain()).isEqualTo(leaf.chain());
        assertThat(results.get(1).ok()).isFalse();
        assertThat(results.get(1).error()).isEqualTo("PERMISSION_DENIED: entry b is not authorized for this agent");
    }
}
