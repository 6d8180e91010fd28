package io.meshca.agent.api;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * The SPIFFE Workload API's guard against server-side request forgery: every call must carry the
 * metadata {@code workload.spiffe.io: true}, which a browser or a proxied HTTP request cannot set.
 * Install it outermost, so that a call without it costs no attestation.
 */
public final class SecurityHeaderInterceptor implements ServerInterceptor {

    public static final Metadata.Key<String> HEADER =
            Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);
    public static final String MISSING = "security header missing from request";

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!"true".equals(headers.get(HEADER))) {
            call.close(Status.INVALID_ARGUMENT.withDescription(MISSING), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
    }
}
