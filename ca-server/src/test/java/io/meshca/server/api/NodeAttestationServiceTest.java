package io.meshca.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.grpc.ErrorMappingInterceptor;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Csrs;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.proto.server.v1.AttestParams;
import io.meshca.proto.server.v1.AttestRequest;
import io.meshca.proto.server.v1.AttestResponse;
import io.meshca.proto.server.v1.AttestationData;
import io.meshca.proto.server.v1.NodeAttestationGrpc;
import io.meshca.server.agents.AgentManager;
import io.meshca.server.api.admission.SigningAdmission;
import io.meshca.server.attestation.node.AttestResult;
import io.meshca.server.attestation.node.AttestStep;
import io.meshca.server.attestation.node.NodeAttestor;
import io.meshca.server.config.ServerConfig;
import io.meshca.server.testing.InProcessGrpc;
import io.meshca.server.testing.ServerCore;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The attest stream in process with {@code directExecutor()}: every message is handled before the call
 * that sent it returns. The attestor is a quiz: its payload says how many challenges it asks
 * ({@code "q<n>"}), and the answer to {@code "c<i>"} is {@code "a<i>"}.
 */
class NodeAttestationServiceTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId AGENT = TD.withPath("/meshca/agent/quiz/node-1");

    private final FakeClock clock = new FakeClock(Instant.now());

    @RegisterExtension
    final ServerCore core = ServerCore.perTest(TD, clock);

    private InProcessGrpc grpc;

    /** Asks {@code n} challenges, then names the agent. */
    private static final class QuizAttestor implements NodeAttestor {
        @Override
        public String type() {
            return "quiz";
        }

        @Override
        public AttestStep attest(byte[] payload) {
            int n = Integer.parseInt(new String(payload, StandardCharsets.UTF_8).substring(1));
            return ask(1, n);
        }

        private AttestStep ask(int i, int n) {
            if (i > n) {
                return new AttestStep.Attested(new AttestResult(AGENT, SelectorSet.of(Selector.parse("quiz:n:" + n))));
            }
            return new AttestStep.Challenge(utf8("c" + i), answer -> {
                if (!new String(answer, StandardCharsets.UTF_8).equals("a" + i)) {
                    throw new PermissionDeniedException("quiz attestation refused");
                }
                return ask(i + 1, n);
            });
        }
    }

    @BeforeEach
    void start() throws Exception {
        AgentManager agents = new AgentManager(
                List.of(new QuizAttestor()), core.store().agents(), core.issuer(), core.audit(), core.clock());
        grpc = InProcessGrpc.start(ServerInterceptors.intercept(
                new NodeAttestationService(
                        agents,
                        core.ca(),
                        new SigningAdmission(ServerConfig.DEFAULT_SIGNING_QUEUE_SIZE, clock),
                        clock.scheduler()),
                new ErrorMappingInterceptor()));
    }

    @AfterEach
    void stop() {
        grpc.close();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** What the agent received on one stream, and its side of the stream. */
    private final class Agent implements StreamObserver<AttestResponse> {
        final List<AttestResponse> received = new ArrayList<>();
        Status error;
        boolean completed;
        final StreamObserver<AttestRequest> requests =
                NodeAttestationGrpc.newStub(grpc.channel()).attest(this);

        void sendParams(String payload) {
            requests.onNext(AttestRequest.newBuilder()
                    .setParams(AttestParams.newBuilder()
                            .setData(AttestationData.newBuilder()
                                    .setType("quiz")
                                    .setPayload(ByteString.copyFrom(utf8(payload))))
                            .setCsr(ByteString.copyFrom(Csrs.create(TestPki.keyPair()))))
                    .build());
        }

        void answer(String answer) {
            requests.onNext(AttestRequest.newBuilder()
                    .setChallengeResponse(ByteString.copyFrom(utf8(answer)))
                    .build());
        }

        String lastChallenge() {
            AttestResponse last = received.get(received.size() - 1);
            assertThat(last.hasChallenge()).as("a challenge").isTrue();
            return last.getChallenge().toStringUtf8();
        }

        @Override
        public void onNext(AttestResponse response) {
            received.add(response);
        }

        @Override
        public void onError(Throwable t) {
            error = Status.fromThrowable(t);
        }

        @Override
        public void onCompleted() {
            completed = true;
        }
    }

    @Test
    void challengesAnswered_yieldTheSvid_signedOnlyAfterTheAttestorAccepts() {
        Agent agent = new Agent();
        agent.sendParams("q2");
        assertThat(agent.lastChallenge()).isEqualTo("c1");
        agent.answer("a1");
        assertThat(agent.lastChallenge()).isEqualTo("c2");
        assertThat(core.store().agents().get(AGENT))
                .as("nothing issued before the last answer")
                .isEmpty();

        agent.answer("a2");

        assertThat(agent.error).isNull();
        assertThat(agent.completed).isTrue();
        AttestResponse result = agent.received.get(2);
        assertThat(result.hasResult()).isTrue();
        assertThat(result.getResult().getSvid().getSpiffeId()).isEqualTo(AGENT.toString());
        X509Certificate leaf =
                Certificates.parse(result.getResult().getSvid().getCertChain(0).toByteArray());
        assertThat(Certificates.spiffeId(leaf)).contains(AGENT);
        assertThat(core.store().agents().get(AGENT))
                .hasValueSatisfying(a -> assertThat(a.attestationType()).isEqualTo("quiz"));
    }

    @Test
    void anAcceptedAttestation_isAudited_withItsType() {
        Agent agent = new Agent();
        agent.sendParams("q1");
        agent.answer("a1");

        core.audit().flush();

        assertThat(core.store().audit().read(0, 100))
                .filteredOn(r -> r.action().equals("agent.attest"))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.subject()).isEqualTo(AGENT.toString());
                    assertThat(r.detail()).isEqualTo("type=quiz");
                });
    }

    @Test
    void aBannedAgent_answeringEveryChallenge_getsNothing() {
        core.storeAgent(core.agent(AGENT, Selector.parse("quiz:n:1")));
        core.store().agents().ban(AGENT);
        Agent agent = new Agent();
        agent.sendParams("q1");

        agent.answer("a1");

        assertThat(agent.error.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(agent.error.getDescription()).isEqualTo(AgentManager.BANNED);
    }

    @Test
    void aWrongAnswer_isRefusedWithTheAttestorsReason_andNothingIsIssued() {
        Agent agent = new Agent();
        agent.sendParams("q1");

        agent.answer("wrong");

        assertThat(agent.error.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(agent.error.getDescription()).isEqualTo("quiz attestation refused");
        assertThat(core.store().agents().get(AGENT)).isEmpty();
    }

    @Test
    void paramsAgain_insteadOfTheAnswer_isInvalidArgument_namingIt() {
        Agent agent = new Agent();
        agent.sendParams("q1");

        agent.sendParams("q1");

        assertThat(agent.error.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(agent.error.getDescription()).isEqualTo(AttestationStream.RESPONSE_EXPECTED + "params");
    }

    @Test
    void anAnswerFirst_isInvalidArgument_namingIt() {
        Agent agent = new Agent();

        agent.answer("a1");

        assertThat(agent.error.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(agent.error.getDescription()).isEqualTo(AttestationStream.PARAMS_FIRST + "challenge_response");
    }

    @Test
    void aMessageAfterTheResult_changesNothing() {
        Agent agent = new Agent();
        agent.sendParams("q0");
        assertThat(agent.completed).isTrue();

        agent.answer("a1");

        assertThat(agent.error)
                .as("the call is over: the late message changes nothing")
                .isNull();
        assertThat(agent.received).hasSize(1);
    }

    @Test
    void moreChallengesThanTheBound_areRefused() {
        Agent agent = new Agent();
        agent.sendParams("q" + (NodeAttestationService.MAX_CHALLENGES + 1));
        for (int i = 1; i <= NodeAttestationService.MAX_CHALLENGES; i++) {
            assertThat(agent.lastChallenge()).isEqualTo("c" + i);
            agent.answer("a" + i);
        }

        assertThat(agent.error.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(agent.error.getDescription())
                .isEqualTo(String.format(AttestationStream.TOO_MANY_CHALLENGES, NodeAttestationService.MAX_CHALLENGES));
        assertThat(agent.received).hasSize(NodeAttestationService.MAX_CHALLENGES);
        assertThat(core.store().agents().get(AGENT)).isEmpty();
    }

    @Test
    void aChallengeUnansweredForTheTimeout_endsTheStream() {
        Agent agent = new Agent();
        agent.sendParams("q1");

        clock.advance(NodeAttestationService.CHALLENGE_TIMEOUT.minusSeconds(1));
        assertThat(agent.error).isNull();
        clock.advance(Duration.ofSeconds(1));

        assertThat(agent.error.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(agent.error.getDescription()).isEqualTo(String.format(AttestationStream.UNANSWERED, "30s"));
    }

    @Test
    void anAnswerInTime_cancelsTheTimeout() {
        Agent agent = new Agent();
        agent.sendParams("q2");
        clock.advance(Duration.ofSeconds(20));
        agent.answer("a1");

        clock.advance(Duration.ofSeconds(20));
        assertThat(agent.error).as("the second challenge has its own 30 s").isNull();
        agent.answer("a2");

        assertThat(agent.completed).isTrue();
        clock.advance(NodeAttestationService.CHALLENGE_TIMEOUT);
        assertThat(agent.error).isNull();
    }

    @Test
    void closingTheStreamBeforeAnswering_isInvalidArgument() {
        Agent agent = new Agent();
        agent.sendParams("q1");

        agent.requests.onCompleted();

        assertThat(agent.error.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(agent.error.getDescription()).isEqualTo(AttestationStream.CLOSED_BEFORE_RESPONSE);
    }
}
