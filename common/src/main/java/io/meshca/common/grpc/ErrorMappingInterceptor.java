package io.meshca.common.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.common.error.GrpcErrors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a call whose handler throws with the status {@link GrpcErrors#toStatus} maps the exception to,
 * so that service methods just throw: a {@link io.meshca.common.error.MeshcaException} keeps its kind
 * and message, anything else is logged with its cause and reaches the client as INTERNAL "internal
 * error". Without it, gRPC would answer UNKNOWN and the cause would go unlogged.
 *
 * <p>It catches what a handler throws while gRPC runs it (the request, half-close and readiness
 * callbacks, and the start of a streaming call). A stream that fails later, on another thread, ends
 * itself with {@code GrpcErrors.toStatus(e).getStatus()}.
 *
 * <p>Register it closest to the service, inside any interceptor that watches how a call closes (the
 * admin audit, for one), so that they see the mapped status: {@code ServerInterceptors.intercept(service,
 * new ErrorMappingInterceptor(), audit)} (the last interceptor runs first).
 */
public final class ErrorMappingInterceptor implements ServerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(ErrorMappingInterceptor.class);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        ClosingCall<Q, R> closing = new ClosingCall<>(call);
        ServerCall.Listener<Q> listener;
        try {
            listener = next.startCall(closing, headers);
        } catch (RuntimeException e) {
            closing.fail(e);
            return new ServerCall.Listener<>() {};
        }
        return new SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                try {
                    super.onMessage(message);
                } catch (RuntimeException e) {
                    closing.fail(e);
                }
            }

            @Override
            public void onHalfClose() {
                try {
                    super.onHalfClose();
                } catch (RuntimeException e) {
                    closing.fail(e);
                }
            }

            @Override
            public void onReady() {
                try {
                    super.onReady();
                } catch (RuntimeException e) {
                    closing.fail(e);
                }
            }
        };
    }

    /** Remembers that the call was closed: closing it twice is an error in gRPC. */
    private static final class ClosingCall<Q, R> extends SimpleForwardingServerCall<Q, R> {

        private final AtomicBoolean closed = new AtomicBoolean();

        ClosingCall(ServerCall<Q, R> delegate) {
            super(delegate);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            closed.set(true);
            super.close(status, trailers);
        }

        void fail(RuntimeException error) {
            if (closed.get()) {
                // the answer is already on its way: nothing to tell the client, but the failure is ours
                log.warn(
                        "{} failed after its call was closed",
                        getMethodDescriptor().getFullMethodName(),
                        error);
                return;
            }
            StatusRuntimeException mapped = GrpcErrors.toStatus(error);
            Metadata trailers = mapped.getTrailers();
            close(mapped.getStatus(), trailers == null ? new Metadata() : trailers);
        }
    }
}
