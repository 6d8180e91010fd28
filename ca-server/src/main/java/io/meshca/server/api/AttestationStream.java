package io.meshca.server.api;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.meshca.common.config.Durations;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.proto.server.v1.AttestRequest;
import io.meshca.proto.server.v1.AttestResponse;
import io.meshca.proto.server.v1.AttestResult;
import io.meshca.server.agents.AgentManager;
import io.meshca.server.api.admission.SigningAdmission;
import io.meshca.server.api.convert.BundleProtos;
import io.meshca.server.api.convert.SvidProtos;
import io.meshca.server.attestation.node.AttestStep;
import io.meshca.server.ca.CaManager;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node attestation stream: {@code params} first, then a {@code challenge_response} for each
 * challenge the attestor asks, then the result. The CSR of the first message is signed only once the
 * attestor has accepted the node.
 *
 * <p>Concurrency: gRPC delivers the agent's messages one at a time, but a challenge's timeout fires on
 * the scheduler's thread; every method takes this object's lock, so a late answer and its timeout never
 * both act, and the response observer (not thread-safe) is used by one thread at a time.
 *
 * <p>A signing-queue slot is held only while the attestor decides, never while the agent thinks: taken
 * before each attestor call, as before a join token is redeemed (so that a token is not spent on a
 * server too busy to sign), given back when the attestor asks a challenge instead.
 */
final class AttestationStream implements StreamObserver<AttestRequest> {

    private static final Logger log = LoggerFactory.getLogger(AttestationStream.class);

    static final String PARAMS_FIRST = "the first attestation message must carry params, got ";
    static final String RESPONSE_EXPECTED =
            "a challenge was sent: the next attestation message must carry" + " challenge_response, got ";
    static final String CLOSED_WITHOUT_PARAMS = "attestation stream closed without params";
    static final String CLOSED_BEFORE_RESPONSE = "attestation stream closed before the challenge was answered";
    static final String TOO_MANY_CHALLENGES = "node attestation needs more than %d challenges";
    static final String UNANSWERED = "the attestation challenge was not answered within %s";

    /** How many challenges one attestation may ask, and how long each may stay unanswered. */
    record Limits(int maxChallenges, Duration challengeTimeout) {
        Limits {
            Objects.requireNonNull(challengeTimeout, "challengeTimeout");
            if (maxChallenges < 0 || challengeTimeout.isNegative() || challengeTimeout.isZero()) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }
    }

    private final AgentManager agents;
    private final CaManager ca;
    private final SigningAdmission admission;
    private final ScheduledExecutorService scheduler;
    private final Limits limits;
    private final StreamObserver<AttestResponse> out;

    private String type;
    private byte[] csr;
    private AttestStep.Challenge pending;
    private ScheduledFuture<?> timeout;
    private int challenges;
    private boolean done;

    AttestationStream(
            AgentManager agents,
            CaManager ca,
            SigningAdmission admission,
            ScheduledExecutorService scheduler,
            Limits limits,
            StreamObserver<AttestResponse> out) {
        this.agents = agents;
        this.ca = ca;
        this.admission = admission;
        this.scheduler = scheduler;
        this.limits = limits;
        this.out = out;
    }

    @Override
    public synchronized void onNext(AttestRequest request) {
        if (done) {
            return;
        }
        try {
            // after start, the stream is either done or waiting for an answer
            if (type == null) {
                start(request);
            } else {
                answer(request);
            }
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void start(AttestRequest request) {
        if (!request.hasParams()) {
            throw new InvalidArgumentException(PARAMS_FIRST + kind(request));
        }
        var params = request.getParams();
        type = params.getData().getType();
        csr = params.getCsr().toByteArray();
        byte[] payload = params.getData().getPayload().toByteArray();
        proceed(() -> agents.verifyEvidence(type, payload, csr));
    }

    private void answer(AttestRequest request) {
        if (!request.hasChallengeResponse()) {
            throw new InvalidArgumentException(RESPONSE_EXPECTED + kind(request));
        }
        AttestStep.Challenge challenge = pending;
        pending = null;
        timeout.cancel(false);
        byte[] response = request.getChallengeResponse().toByteArray();
        proceed(() -> challenge.onResponse().apply(response));
    }

    /** Runs one attestor step with a signing slot held; signs if it accepts, relays its challenge if it asks. */
    private void proceed(Supplier<AttestStep> step) {
        try (SigningAdmission.Permit permit = admission.admit(1)) {
            AttestStep next = step.get();
            if (next instanceof AttestStep.Challenge challenge) {
                ask(challenge);
                return;
            }
            AttestStep.Attested attested = (AttestStep.Attested) next;
            AgentManager.Attested issued = agents.issueAttested(type, attested.result(), csr);
            done = true;
            out.onNext(AttestResponse.newBuilder()
                    .setResult(AttestResult.newBuilder()
                            .setSvid(SvidProtos.toProto(issued.agent().spiffeId(), issued.svid()))
                            .setBundle(BundleProtos.toProto(ca)))
                    .build());
            out.onCompleted();
        }
    }

    private void ask(AttestStep.Challenge challenge) {
        if (++challenges > limits.maxChallenges()) {
            log.warn(
                    "node attestation of type {} refused: its attestor asked more than {} challenges",
                    type,
                    limits.maxChallenges());
            throw new PermissionDeniedException(String.format(TOO_MANY_CHALLENGES, limits.maxChallenges()));
        }
        pending = challenge;
        int round = challenges;
        timeout = scheduler.schedule(
                () -> expire(round), limits.challengeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        out.onNext(AttestResponse.newBuilder()
                .setChallenge(ByteString.copyFrom(challenge.challenge()))
                .build());
    }

    private synchronized void expire(int round) {
        if (done || pending == null || round != challenges) {
            return;
        }
        log.warn(
                "node attestation of type {} ended: challenge {} unanswered for {}",
                type,
                round,
                Durations.format(limits.challengeTimeout()));
        fail(new PermissionDeniedException(String.format(UNANSWERED, Durations.format(limits.challengeTimeout()))));
    }

    @Override
    public synchronized void onError(Throwable t) {
        // the agent went away: nothing to answer
        done = true;
        cancelTimeout();
    }

    @Override
    public synchronized void onCompleted() {
        if (done) {
            return;
        }
        fail(new InvalidArgumentException(type == null ? CLOSED_WITHOUT_PARAMS : CLOSED_BEFORE_RESPONSE));
    }

    private void fail(RuntimeException e) {
        done = true;
        pending = null;
        cancelTimeout();
        try {
            out.onError(GrpcErrors.toStatus(e));
        } catch (RuntimeException closed) {
            // the call was cancelled meanwhile: no one to tell
            log.debug("attestation stream already closed", closed);
        }
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    /** What the agent sent, by the name of the message's field. */
    private static String kind(AttestRequest request) {
        return switch (request.getStepCase()) {
            case PARAMS -> "params";
            case CHALLENGE_RESPONSE -> "challenge_response";
            case STEP_NOT_SET -> "an empty message";
        };
    }
}
