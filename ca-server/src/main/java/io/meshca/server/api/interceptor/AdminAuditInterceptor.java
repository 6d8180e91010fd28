package io.meshca.server.api.interceptor;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.meshca.common.error.GrpcErrors;
import io.meshca.server.audit.AuditEvent;
import io.meshca.server.audit.AuditLog;
import io.meshca.server.audit.AuditWriteException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes every mutating admin call to the audit log with its request and outcome. Requests are
 * recorded, responses never: a GenerateJoinToken response holds the secret token. With
 * {@code auditWrites: sync}, a successful call whose row cannot be stored ends UNAVAILABLE instead of OK,
 * and its response (a join token, for example) is never sent: responses are held until the row is
 * recorded. Mutating admin calls are unary, so holding their one response costs nothing.
 */
public final class AdminAuditInterceptor implements ServerInterceptor {

    private static final Set<String> READ_ONLY_PREFIXES = Set.of("Get", "List", "Count", "Check", "Watch");

    private final AuditLog audit;
    private final String actor;

    public AdminAuditInterceptor(AuditLog audit, String actor) {
        this.audit = audit;
        this.actor = actor;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getBareMethodName();
        if (method == null || READ_ONLY_PREFIXES.stream().anyMatch(method::startsWith)) {
            return next.startCall(call, headers);
        }
        String fullName = call.getMethodDescriptor().getFullMethodName();
        AtomicReference<String> request = new AtomicReference<>("");
        ServerCall<Q, R> recording = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            private final List<R> held = new ArrayList<>(1);

            @Override
            public void sendMessage(R message) {
                held.add(message);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                Status outcome = status;
                try {
                    audit.record(new AuditEvent(
                            actor,
                            "admin." + method,
                            request.get(),
                            "method=" + fullName + " status=" + status.getCode()));
                } catch (AuditWriteException e) {
                    // auditWrites: sync. The call must still be closed (or the client waits forever), and a
                    // caller told OK would not know that the action is missing from the audit log.
                    if (status.isOk()) {
                        outcome = Status.UNAVAILABLE
                                .withDescription(method + " took effect, but " + e.getMessage())
                                .withCause(e);
                        trailers.put(GrpcErrors.KIND, e.kind().name()); // the server's answer, not the transport's
                    }
                }
                if (outcome == status) {
                    held.forEach(super::sendMessage);
                }
                super.close(outcome, trailers);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                next.startCall(recording, headers)) {
            @Override
            public void onMessage(Q message) {
                if (message instanceof Message m) {
                    request.set(TextFormat.shortDebugString(m));
                }
                super.onMessage(message);
            }
        };
    }
}
