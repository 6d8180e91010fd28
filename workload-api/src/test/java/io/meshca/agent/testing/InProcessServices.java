package io.meshca.agent.testing;

import io.grpc.ClientInterceptor;
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
import io.grpc.stub.MetadataUtils;
import io.meshca.agent.api.CallerSelectors;
import io.meshca.agent.api.SecurityHeaderInterceptor;
import io.meshca.common.spiffe.SelectorSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * The agent's gRPC services in-process, run on the calling thread: how the Workload API and SDS
 * services are tested without a socket. {@link #fixedCaller} stands in for workload attestation.
 */
public final class InProcessServices implements AutoCloseable {

    private final Server server;
    private final ManagedChannel channel;

    private InProcessServices(Server server, ManagedChannel channel) {
        this.server = server;
        this.channel = channel;
    }

    /** Serves {@code services} (with their interceptors) on a new in-process server. */
    public static InProcessServices start(ServerServiceDefinition... services) {
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name).directExecutor();
        for (ServerServiceDefinition service : services) {
            builder.addService(service);
        }
        try {
            Server server = builder.build().start();
            return new InProcessServices(
                    server,
                    InProcessChannelBuilder.forName(name).directExecutor().build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A channel to the services. */
    public ManagedChannel channel() {
        return channel;
    }

    /** Stands in for workload attestation: every caller has {@code callerSelectors}. */
    public static ServerInterceptor fixedCaller(SelectorSet callerSelectors) {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                return Contexts.interceptCall(
                        CallerSelectors.with(Context.current(), callerSelectors), call, headers, next);
            }
        };
    }

    /** The Workload API's {@code workload.spiffe.io: true} header, which every SPIFFE client sends. */
    public static Metadata securityHeader() {
        Metadata headers = new Metadata();
        headers.put(SecurityHeaderInterceptor.HEADER, "true");
        return headers;
    }

    /** A client interceptor that sends {@link #securityHeader()}. */
    public static ClientInterceptor withSecurityHeader() {
        return MetadataUtils.newAttachHeadersInterceptor(securityHeader());
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
