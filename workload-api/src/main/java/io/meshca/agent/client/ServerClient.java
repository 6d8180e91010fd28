package io.meshca.agent.client;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.identity.AgentSvid;
import io.meshca.agent.jwt.JwtSvidFetcher;
import io.meshca.agent.rotation.AgentSvidRenewer;
import io.meshca.agent.rotation.SvidSigner;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.pki.Csrs;
import io.meshca.proto.server.v1.AgentGrpc;
import io.meshca.proto.server.v1.AttestParams;
import io.meshca.proto.server.v1.AttestRequest;
import io.meshca.proto.server.v1.AttestResponse;
import io.meshca.proto.server.v1.AttestationData;
import io.meshca.proto.server.v1.BatchSignX509SvidsRequest;
import io.meshca.proto.server.v1.BatchSignX509SvidsResponse;
import io.meshca.proto.server.v1.JwtSvidParams;
import io.meshca.proto.server.v1.JwtSvidResult;
import io.meshca.proto.server.v1.MintJwtSvidsRequest;
import io.meshca.proto.server.v1.MintJwtSvidsResponse;
import io.meshca.proto.server.v1.NodeAttestationGrpc;
import io.meshca.proto.server.v1.RenewAgentSvidRequest;
import io.meshca.proto.server.v1.SvidSigningRequest;
import io.meshca.proto.server.v1.SvidSigningResult;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The agent's only gateway to ca-server: node attestation over server-authenticated TLS, then agent
 * SVID renewal and batch signing over mutual TLS. The watch of authorized entries has its own class,
 * {@link AuthorizedEntryWatcher}, because it is long-lived. Calls block the calling thread for at most
 * {@code callTimeout}; failures surface as {@link MeshcaException}s that keep the server's message.
 */
public final class ServerClient implements SvidSigner, AgentSvidRenewer, JwtSvidFetcher {

    private final Channel attestationChannel;
    private final Channel agentChannel;
    private final Duration callTimeout;

    /**
     * @param attestationChannel server-authenticated TLS (the agent has no SVID yet)
     * @param agentChannel mutual TLS presenting the current agent SVID
     */
    public ServerClient(Channel attestationChannel, Channel agentChannel, Duration callTimeout) {
        this.attestationChannel = attestationChannel;
        this.agentChannel = agentChannel;
        this.callTimeout = callTimeout;
    }

    /** What node attestation yields: the agent's first SVID and its trust domain's bundle. */
    public record Attested(AgentSvid svid, TrustBundle bundle) {}

    /**
     * Attests this node with the evidence of an attestor that answers no challenges.
     *
     * @see #attest(String, byte[], KeyPair, UnaryOperator)
     */
    public Attested attest(String type, byte[] payload, KeyPair agentKey) {
        return attest(type, payload, agentKey, challenge -> {
            throw new FailedPreconditionException(
                    "the server sent an attestation challenge, which " + type + " attestation does not answer");
        });
    }

    /**
     * Attests this node with the evidence of its node attestor; the key stays here, only its CSR is sent.
     * Each challenge the server asks is answered with {@code respond}, on the thread gRPC delivers it on.
     *
     * @param type the attestation type, the name of the server's node attestor (e.g. {@code join_token})
     * @param payload the attestor's evidence
     * @param respond the attestor's answer to a challenge; what it throws ends the attestation
     * @throws MeshcaException with the server's reason if the evidence is refused (a join token reused,
     *     unknown or expired), or what {@code respond} threw
     */
    public Attested attest(String type, byte[] payload, KeyPair agentKey, UnaryOperator<byte[]> respond) {
        if (type == null || type.isBlank() || payload == null || payload.length == 0) {
            throw new InvalidArgumentException("an attestation type and evidence are required to attest this agent");
        }
        CompletableFuture<AttestResponse> result = new CompletableFuture<>();
        // Requests go out from this thread (params, the end) and from gRPC's (answers): one at a time.
        Object sending = new Object();
        AtomicReference<StreamObserver<AttestRequest>> stream = new AtomicReference<>();
        StreamObserver<AttestRequest> requests = NodeAttestationGrpc.newStub(attestationChannel)
                .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .attest(new StreamObserver<>() {
                    @Override
                    public void onNext(AttestResponse response) {
                        if (response.hasResult()) {
                            result.complete(response);
                            return;
                        }
                        try {
                            byte[] answer =
                                    respond.apply(response.getChallenge().toByteArray());
                            synchronized (sending) {
                                stream.get()
                                        .onNext(AttestRequest.newBuilder()
                                                .setChallengeResponse(ByteString.copyFrom(answer))
                                                .build());
                            }
                        } catch (RuntimeException e) {
                            result.completeExceptionally(e);
                        }
                    }

                    @Override
                    public void onError(Throwable error) {
                        result.completeExceptionally(ServerErrors.fromStatus(
                                "node attestation failed", attestationChannel.authority(), error));
                    }

                    @Override
                    public void onCompleted() {
                        result.completeExceptionally(
                                new UnavailableException("the server ended node attestation without a result"));
                    }
                });
        stream.set(requests);
        synchronized (sending) {
            requests.onNext(AttestRequest.newBuilder()
                    .setParams(AttestParams.newBuilder()
                            .setData(
                                    AttestationData.newBuilder().setType(type).setPayload(ByteString.copyFrom(payload)))
                            .setCsr(ByteString.copyFrom(Csrs.create(agentKey))))
                    .build());
        }
        AttestResponse response;
        try {
            response = await(result);
        } catch (RuntimeException e) {
            synchronized (sending) {
                requests.onError(e);
            }
            throw e;
        }
        synchronized (sending) {
            requests.onCompleted();
        }
        var attested = response.getResult();
        if (!attested.hasSvid() || !attested.hasBundle()) {
            throw new InvalidArgumentException("the server's attestation result lacks the SVID or the bundle");
        }
        return new Attested(
                new AgentSvid(SvidProtos.fromProto(attested.getSvid()), agentKey.getPrivate()),
                BundleProtos.fromProto(attested.getBundle()));
    }

    @Override
    public List<X509Certificate> renew(byte[] csr) {
        try {
            var response = AgentGrpc.newBlockingStub(agentChannel)
                    .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .renewAgentSvid(RenewAgentSvidRequest.newBuilder()
                            .setCsr(ByteString.copyFrom(csr))
                            .build());
            return SvidProtos.fromProto(response.getSvid());
        } catch (StatusRuntimeException e) {
            throw ServerErrors.fromStatus("agent SVID renewal failed", agentChannel.authority(), e);
        }
    }

    @Override
    public List<Result> sign(List<Request> requests) {
        BatchSignX509SvidsRequest.Builder batch = BatchSignX509SvidsRequest.newBuilder();
        for (Request request : requests) {
            batch.addRequests(SvidSigningRequest.newBuilder()
                    .setEntryId(request.entryId())
                    .setCsr(ByteString.copyFrom(request.csr())));
        }
        BatchSignX509SvidsResponse response;
        try {
            response = AgentGrpc.newBlockingStub(agentChannel)
                    .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .batchSignX509Svids(batch.build());
        } catch (StatusRuntimeException e) {
            throw ServerErrors.fromStatus("batch signing failed", agentChannel.authority(), e);
        }
        List<Result> results = new ArrayList<>(response.getResultsCount());
        for (SvidSigningResult result : response.getResultsList()) {
            if (result.hasSvid()) {
                try {
                    results.add(Result.success(result.getEntryId(), SvidProtos.fromProto(result.getSvid())));
                } catch (MeshcaException e) {
                    results.add(Result.failure(result.getEntryId(), e.getMessage()));
                }
            } else {
                results.add(
                        Result.failure(result.getEntryId(), result.getErrorCode() + ": " + result.getErrorMessage()));
            }
        }
        return results;
    }

    @Override
    public Token fetchJwtSvid(String entryId, List<String> audience) {
        MintJwtSvidsResponse response;
        try {
            response = AgentGrpc.newBlockingStub(agentChannel)
                    .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .mintJwtSvids(MintJwtSvidsRequest.newBuilder()
                            .addParams(JwtSvidParams.newBuilder()
                                    .setEntryId(entryId)
                                    .addAllAudience(audience))
                            .build());
        } catch (StatusRuntimeException e) {
            throw ServerErrors.fromStatus("JWT-SVID minting failed", agentChannel.authority(), e);
        }
        if (response.getResultsCount() != 1) {
            throw new UnavailableException("JWT-SVID minting failed: the server sent " + response.getResultsCount()
                    + " results for one request");
        }
        JwtSvidResult result = response.getResults(0);
        if (!result.getErrorCode().isEmpty()) {
            Status status =
                    Status.Code.valueOf(result.getErrorCode()).toStatus().withDescription(result.getErrorMessage());
            throw ServerErrors.fromStatus(
                    "JWT-SVID minting failed", agentChannel.authority(), status.asRuntimeException());
        }
        return new Token(result.getToken(), Instant.ofEpochSecond(result.getExpiresAt()));
    }

    private <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(callTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MeshcaException me) {
                throw me;
            }
            throw new UnavailableException(
                    "call to the server failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new UnavailableException("the server did not answer within " + callTimeout.toSeconds() + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting for the server");
        }
    }
}
