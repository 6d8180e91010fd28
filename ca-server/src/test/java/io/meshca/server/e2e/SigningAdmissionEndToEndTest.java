package io.meshca.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.pki.Csrs;
import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.server.v1.AgentGrpc;
import io.meshca.proto.server.v1.BatchSignX509SvidsRequest;
import io.meshca.proto.server.v1.BatchSignX509SvidsResponse;
import io.meshca.proto.server.v1.SvidSigningRequest;
import io.meshca.server.api.admission.SigningAdmission;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.testing.AgentApiClient;
import io.meshca.server.testing.AgentApiClient.AttestedAgent;
import io.meshca.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of batch signing calls against a real server with a small signing queue, over mTLS as an
 * attested agent: what does not fit is refused with RESOURCE_EXHAUSTED and a RetryInfo, what fits is
 * signed, and every refused batch goes through once retried after the delay it was given.
 */
class SigningAdmissionEndToEndTest {

    private static final int QUEUE = 100;
    private static final int BATCH = 50;
    private static final int CONNECTIONS = 4;
    private static final int CALLS = 48;

    @TempDir
    Path dir;

    private TestServer server;
    private AgentApiClient agentApi;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(TestServer.config(dir).signingQueueSize(QUEUE).build());
        agentApi = new AgentApiClient(server);
    }

    @AfterEach
    void stop() throws Exception {
        agentApi.close();
        server.close();
    }

    @Test
    void flood_isRefusedWithRetryInfo_whileAdmittedBatchesAreSigned_andRetriesAllSucceed() throws Exception {
        AttestedAgent agent = agentApi.attest(server.generateJoinToken(Duration.ofMinutes(10), Optional.empty()));
        RegistrationEntry web = server.createEntry(
                SpiffeId.parse("spiffe://example.org/web"),
                agent.id(),
                SelectorSet.of(Selector.parse("unix:uid:1000")),
                Duration.ZERO);
        BatchSignX509SvidsRequest.Builder batch = BatchSignX509SvidsRequest.newBuilder();
        ByteString csr = ByteString.copyFrom(Csrs.create(Keys.generateEcP256()));
        for (int i = 0; i < BATCH; i++) {
            batch.addRequests(
                    SvidSigningRequest.newBuilder().setEntryId(web.id()).setCsr(csr));
        }
        BatchSignX509SvidsRequest request = batch.build();
        // several connections, as several agents: one connection carries at most 16 calls at once
        List<AgentGrpc.AgentStub> stubs = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            stubs.add(agentApi.agentStub(agent));
        }

        List<CompletableFuture<BatchSignX509SvidsResponse>> flood = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            flood.add(call(stubs.get(i % CONNECTIONS), request));
        }

        int signed = 0;
        List<Duration> delays = new ArrayList<>();
        for (CompletableFuture<BatchSignX509SvidsResponse> call : flood) {
            Optional<Duration> refusal = outcome(call);
            if (refusal.isPresent()) {
                delays.add(refusal.get());
            } else {
                signed++;
            }
        }
        assertThat(signed).as("admitted batches").isPositive();
        assertThat(delays)
                .as("refused batches")
                .isNotEmpty()
                .allSatisfy(
                        delay -> assertThat(delay).isBetween(SigningAdmission.MIN_RETRY, SigningAdmission.MAX_RETRY));

        // every refused batch goes through when retried after its delay (one by one, as agents would)
        for (Duration delay : delays) {
            Optional<Duration> again = Optional.of(delay);
            for (int attempt = 0; again.isPresent() && attempt < 20; attempt++) {
                Thread.sleep(again.get().toMillis()); // the protocol's wait, not synchronisation
                again = outcome(call(stubs.get(0), request));
            }
            assertThat(again).as("still refused after 20 retries").isEmpty();
        }
    }

    /** Empty if the batch was signed whole; the retry delay if it was refused for a full queue. */
    private static Optional<Duration> outcome(CompletableFuture<BatchSignX509SvidsResponse> call) throws Exception {
        try {
            BatchSignX509SvidsResponse response = call.get(60, TimeUnit.SECONDS);
            assertThat(response.getResultsList())
                    .hasSize(BATCH)
                    .allSatisfy(r -> assertThat(r.hasSvid()).isTrue());
            return Optional.empty();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
            Status status = Status.fromThrowable(e.getCause());
            assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(status.getDescription())
                    .startsWith("signing queue full: ")
                    .contains(" of " + QUEUE + " CSRs");
            Optional<Duration> delay = GrpcErrors.retryDelay(e.getCause());
            assertThat(delay).as("RetryInfo").isPresent();
            return delay;
        }
    }

    private static CompletableFuture<BatchSignX509SvidsResponse> call(
            AgentGrpc.AgentStub stub, BatchSignX509SvidsRequest request) {
        CompletableFuture<BatchSignX509SvidsResponse> result = new CompletableFuture<>();
        stub.withDeadlineAfter(60, TimeUnit.SECONDS).batchSignX509Svids(request, new StreamObserver<>() {
            @Override
            public void onNext(BatchSignX509SvidsResponse response) {
                result.complete(response);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
        });
        return result;
    }
}
