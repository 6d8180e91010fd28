package io.meshca.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.grpc.CallOptions;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.meshca.common.error.AlreadyExistsException;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.error.NotFoundException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.error.ResourceExhaustedException;
import io.meshca.common.error.UnauthenticatedException;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.testing.Utf8Marshaller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Handlers that throw, in process: the client sees the mapped status and never the internals. */
class ErrorMappingInterceptorTest {

    private static final String SERVICE = "meshca.test.Failing";

    private static final MethodDescriptor<String, String> UNARY = method(MethodType.UNARY, "Unary");
    private static final MethodDescriptor<String, String> BIDI = method(MethodType.BIDI_STREAMING, "Bidi");

    /** What the handlers throw; set by each test before it calls. */
    private final AtomicReference<Supplier<RuntimeException>> failure = new AtomicReference<>();

    private final List<Status> seenByOuterInterceptor = new ArrayList<>();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                    if (request.equals("answer-then-throw")) {
                        out.onNext("ok");
                        out.onCompleted();
                        throw new IllegalStateException("a bug after the answer");
                    }
                    throw failure.get().get();
                }))
                .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String message) {
                        throw failure.get().get();
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .build();
        String name = InProcessServerBuilder.generateName();
        try {
            server = InProcessServerBuilder.forName(name)
                    .directExecutor()
                    .addService(ServerInterceptors.intercept(service, new ErrorMappingInterceptor(), closeWatcher()))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    static Stream<Arguments> domainErrors() {
        return Stream.of(
                Arguments.of(new InvalidArgumentException("spiffe_id is required"), Status.Code.INVALID_ARGUMENT),
                Arguments.of(new NotFoundException("no entry with id 42"), Status.Code.NOT_FOUND),
                Arguments.of(new AlreadyExistsException("entry exists"), Status.Code.ALREADY_EXISTS),
                Arguments.of(new PermissionDeniedException("not your SVID"), Status.Code.PERMISSION_DENIED),
                Arguments.of(new UnauthenticatedException("agent SVID has expired"), Status.Code.UNAUTHENTICATED),
                Arguments.of(new FailedPreconditionException("agent is banned"), Status.Code.FAILED_PRECONDITION),
                Arguments.of(
                        new UnavailableException("datastore unreachable", new IOException("connection refused")),
                        Status.Code.UNAVAILABLE),
                Arguments.of(
                        new ResourceExhaustedException("signing queue full", Duration.ofMillis(250)),
                        Status.Code.RESOURCE_EXHAUSTED));
    }

    @Test
    void everyKindOfDomainErrorIsCovered() {
        Set<MeshcaException.Kind> kinds = EnumSet.noneOf(MeshcaException.Kind.class);
        domainErrors().forEach(a -> kinds.add(((MeshcaException) a.get()[0]).kind()));
        assertThat(kinds).containsExactlyInAnyOrder(MeshcaException.Kind.values());
    }

    @ParameterizedTest
    @MethodSource("domainErrors")
    void unaryHandlerThrowingADomainError_endsWithItsStatusAndMessage(MeshcaException error, Status.Code code) {
        failure.set(() -> error);

        Status status = callUnary();

        assertThat(status.getCode()).isEqualTo(code);
        assertThat(status.getDescription()).isEqualTo(error.getMessage());
    }

    @Test
    void aDomainUnavailable_tellsTheClientThatTheServerAnswered_unlikeTheTransports() {
        failure.set(() -> new UnavailableException("datastore unavailable: connection refused (db:5432)"));

        StatusRuntimeException fromServer = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, UNARY, CallOptions.DEFAULT, "request"));

        assertThat(fromServer.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(GrpcErrors.fromServer(fromServer)).isTrue();
        assertThat(GrpcErrors.fromServer(
                        Status.UNAVAILABLE.withDescription("io exception").asRuntimeException()))
                .isFalse();
    }

    @Test
    void unexpectedException_isInternalWithoutItsDetails() {
        failure.set(() -> new IllegalStateException(
                "SELECT key FROM signing_keys failed", new UncheckedIOException(new IOException("/var/lib/x"))));

        Status status = callUnary();

        assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(status.getDescription()).isEqualTo("internal error");
        assertThat(status.getCause()).isNull();
    }

    @Test
    void statusRuntimeException_passesThroughUnchanged() {
        failure.set(() -> Status.RESOURCE_EXHAUSTED.withDescription("slow down").asRuntimeException());

        Status status = callUnary();

        assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getDescription()).isEqualTo("slow down");
    }

    @Test
    void streamingHandlerThrowingOnAMessage_endsTheCallWithTheMappedStatus() throws Exception {
        failure.set(() -> new InvalidArgumentException("the first message must carry params"));

        CompletableFuture<Status> ended = new CompletableFuture<>();
        StreamObserver<String> requests =
                ClientCalls.asyncBidiStreamingCall(channel.newCall(BIDI, CallOptions.DEFAULT), new StreamObserver<>() {
                    @Override
                    public void onNext(String value) {}

                    @Override
                    public void onError(Throwable t) {
                        ended.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(Status.OK);
                    }
                });
        requests.onNext("hello");
        Status status = ended.get(10, TimeUnit.SECONDS);

        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).isEqualTo("the first message must carry params");
    }

    @Test
    void interceptorThatWatchesTheClose_seesTheMappedStatus() {
        failure.set(() -> new NotFoundException("no such agent"));

        callUnary();

        assertThat(seenByOuterInterceptor)
                .extracting(Status::getCode, Status::getDescription)
                .containsExactly(tuple(Status.Code.NOT_FOUND, "no such agent"));
    }

    @Test
    void handlerThrowingAfterItAnswered_leavesTheAnswerAlone() {

        String answer = ClientCalls.blockingUnaryCall(channel, UNARY, CallOptions.DEFAULT, "answer-then-throw");

        assertThat(answer).isEqualTo("ok");
        assertThat(seenByOuterInterceptor).extracting(Status::getCode).containsExactly(Status.Code.OK);
    }

    private Status callUnary() {
        return catchThrowableOfType(
                        StatusRuntimeException.class,
                        () -> ClientCalls.blockingUnaryCall(channel, UNARY, CallOptions.DEFAULT, "request"))
                .getStatus();
    }

    /** Stands for the audit interceptor: it must see the status the call really ends with. */
    private ServerInterceptor closeWatcher() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                return next.startCall(
                        new SimpleForwardingServerCall<>(call) {
                            @Override
                            public void close(Status status, Metadata trailers) {
                                seenByOuterInterceptor.add(status);
                                super.close(status, trailers);
                            }
                        },
                        headers);
            }
        };
    }

    private static MethodDescriptor<String, String> method(MethodType type, String name) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(Utf8Marshaller.INSTANCE)
                .setResponseMarshaller(Utf8Marshaller.INSTANCE)
                .build();
    }
}
