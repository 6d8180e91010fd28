package io.meshca.agent.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.agent.attestation.workload.ProcessStartTimes;
import io.meshca.agent.attestation.workload.WorkloadAttestor;
import io.meshca.agent.endpoint.UnixPeer;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.spiffe.SelectorSet;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identifies the caller of every call: attests the process the kernel named as the connection's peer
 * and puts its selectors into the call's context ({@link CallerSelectors}). A call with no peer (not
 * on the unix socket) or whose process cannot be attested is refused before any service code runs.
 *
 * <p>A connection outlives the process that opened it (a child may inherit the socket after its
 * parent exits) and the parent's PID may then name an unrelated process. So the attestor is given the
 * PID's start time recorded when the connection was accepted, and refuses unless the PID still names
 * that process once the selectors are read ({@link WorkloadAttestor#attest(int, long, ProcessStartTimes)});
 * start times only grow, so equality means the attested process is the one that connected.
 */
public final class WorkloadAttestationInterceptor implements ServerInterceptor {

    public static final String NO_PEER = "caller could not be identified";
    public static final String PEER_EXITED = WorkloadAttestor.PEER_EXITED;

    private static final Logger log = LoggerFactory.getLogger(WorkloadAttestationInterceptor.class);

    private final WorkloadAttestor attestor;
    private final ProcessStartTimes startTimes;
    private final DeniedCallerLog denials;

    public WorkloadAttestationInterceptor(WorkloadAttestor attestor) {
        this(attestor, ProcessStartTimes.system(), Clock.systemUTC());
    }

    /** @param clock times the rate limit of the log line that says why a caller was denied */
    public WorkloadAttestationInterceptor(WorkloadAttestor attestor, ProcessStartTimes startTimes, Clock clock) {
        this.attestor = Objects.requireNonNull(attestor, "attestor");
        this.startTimes = Objects.requireNonNull(startTimes, "startTimes");
        this.denials = new DeniedCallerLog(clock);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        UnixPeer peer = call.getAttributes().get(UnixPeer.TRANSPORT_ATTR);
        if (peer == null) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription(NO_PEER));
        }
        SelectorSet selectors;
        try {
            selectors = attestor.attest(peer.pid(), peer.startTime(), startTimes);
        } catch (RuntimeException e) {
            StatusRuntimeException status = GrpcErrors.toStatus(e);
            log.debug("attestation of pid {} (uid {}) failed: {}", peer.pid(), peer.uid(), status.getStatus());
            return refuse(call, status.getStatus());
        }
        log.debug("pid {} attested as {}", peer.pid(), selectors);
        Context context = CallerSelectors.with(Context.current(), selectors).withValue(UnixPeer.CONTEXT_KEY, peer);
        return Contexts.interceptCall(context, reportingDenial(call, peer, selectors), headers, next);
    }

    /** The call, which tells {@link DeniedCallerLog} if it ends in PERMISSION_DENIED (no entry matched). */
    private <Q, R> ServerCall<Q, R> reportingDenial(ServerCall<Q, R> call, UnixPeer peer, SelectorSet selectors) {
        return new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                if (status.getCode() == Status.Code.PERMISSION_DENIED) {
                    denials.denied(peer, selectors, call.getMethodDescriptor().getBareMethodName(), status);
                }
                super.close(status, trailers);
            }
        };
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
