package io.meshca.server.testing;

import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.List;

/**
 * Services on an in-process gRPC server with {@code directExecutor()}, and a channel to it: a call runs
 * on the caller's thread, so a test sees its effects as soon as it returns.
 */
public final class InProcessGrpc implements AutoCloseable {

    private final Server server;
    private final ManagedChannel channel;

    private InProcessGrpc(Server server, ManagedChannel channel) {
        this.server = server;
        this.channel = channel;
    }

    public static InProcessGrpc start(ServerServiceDefinition... services) throws IOException {
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name).directExecutor();
        List.of(services).forEach(builder::addService);
        Server server = builder.build().start();
        return new InProcessGrpc(
                server, InProcessChannelBuilder.forName(name).directExecutor().build());
    }

    public static InProcessGrpc start(BindableService service) throws IOException {
        return start(service.bindService());
    }

    /**
     * Puts {@code value} in the Context of every call, as the interceptor that authenticates callers
     * (from the TLS session or a token) would.
     */
    public static <T> ServerInterceptor withContext(Context.Key<T> key, T value) {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                return Contexts.interceptCall(Context.current().withValue(key, value), call, headers, next);
            }
        };
    }

    public ManagedChannel channel() {
        return channel;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
    }
}
