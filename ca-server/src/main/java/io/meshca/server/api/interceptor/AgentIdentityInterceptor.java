package io.meshca.server.api.interceptor;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.agents.AgentManager;
import io.meshca.server.model.AgentRecord;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Authenticates calls to the Agent service: the TLS peer must have presented an agent SVID (already
 * verified against the bundle by the handshake's trust manager), still valid now (a resumed session
 * skips the handshake's checks), of an agent that is known and not banned. The agent record goes into
 * the Context for the service.
 */
public final class AgentIdentityInterceptor implements ServerInterceptor {

    private final AgentManager agents;
    private final Predicate<SpiffeId> isAgentId;
    private final Clock clock;

    public AgentIdentityInterceptor(AgentManager agents, Predicate<SpiffeId> isAgentId, Clock clock) {
        this.agents = agents;
        this.isAgentId = isAgentId;
        this.clock = clock;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        AgentRecord agent;
        try {
            agent = authenticate(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        } catch (MeshcaException e) {
            call.close(GrpcErrors.toStatus(e).getStatus(), new Metadata());
            return new ServerCall.Listener<>() {};
        } catch (Unauthenticated e) {
            call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(CallerIdentity.AGENT, agent), call, headers, next);
    }

    private AgentRecord authenticate(SSLSession session) throws Unauthenticated {
        if (session == null) {
            throw new Unauthenticated("the agent API requires TLS");
        }
        Certificate[] peer;
        try {
            peer = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new Unauthenticated("the agent API requires a client certificate (the agent SVID)");
        }
        X509Certificate leaf = (X509Certificate) peer[0];
        if (!leaf.getNotAfter().toInstant().isAfter(clock.instant())) {
            throw new Unauthenticated("agent SVID has expired");
        }
        Optional<SpiffeId> id = Certificates.spiffeId(leaf);
        if (id.isEmpty() || !isAgentId.test(id.get())) {
            throw new Unauthenticated("client certificate is not an agent SVID");
        }
        return agents.requireActive(id.get());
    }

    private static final class Unauthenticated extends Exception {
        private static final long serialVersionUID = 1L;

        Unauthenticated(String message) {
            super(message, null, false, false);
        }
    }
}
