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
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The agent's gRPC services in-process, run on the calling thread: how the Workload API and SDS
 * services are tested without a socket. A JUnit 5 extension: register it on a field with
 * {@code @RegisterExtension}, {@link #start} the services in a test, and it stops them after each test.
 * {@link #fixedCaller} stands in for workload attestation.
 */
public final class InProcessServices implements AfterEachCallback {

    private Server server;
    private ManagedChannel channel;

    /**
     * Serves {@code services} (with their interceptors) on a new in-process server.
     *
     * @return a channel to them
     */
    public ManagedChannel start(ServerServiceDefinition... services) {
        if (server != null) {
            throw new IllegalStateException("services already started in this test");
        }
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name).directExecutor();
        for (ServerServiceDefinition service : services) {
            builder.addService(service);
        }
        try {
            server = builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
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
    public void afterEach(ExtensionContext context) throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        channel = null;
        server = null;
    }
}
