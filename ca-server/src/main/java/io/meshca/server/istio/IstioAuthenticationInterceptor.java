package io.meshca.server.istio;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.InvalidSpiffeIdException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.k8s.KubernetesTokenAuthenticator;
import io.meshca.server.k8s.ServiceAccount;
import io.meshca.server.k8s.TokenRejectedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates callers of Istio's CA API, in istiod's order: a client certificate (a meshca X509-SVID
 * of this trust domain, already verified against the bundle by the handshake), else an
 * {@code authorization: Bearer <Kubernetes service-account token>}, whose service account becomes
 * {@code spiffe://<td>/ns/<ns>/sa/<sa>}. A refused caller gets only {@link #UNAUTHENTICATED_DESCRIPTION};
 * the reason goes to the log, without the token.
 */
public final class IstioAuthenticationInterceptor implements ServerInterceptor {

    public static final String UNAUTHENTICATED_DESCRIPTION =
            "authentication failed: present a valid Kubernetes service-account token or a meshca X509-SVID";
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /** istio-agent sends its cluster in this header as well as in the request metadata. */
    static final Metadata.Key<String> CLUSTER_ID = Metadata.Key.of("ClusterID", Metadata.ASCII_STRING_MARSHALLER);

    private static final String BEARER = "bearer ";
    private static final Logger log = LoggerFactory.getLogger(IstioAuthenticationInterceptor.class);

    private final TrustDomain trustDomain;
    private final KubernetesTokenAuthenticator tokens;
    private final Clock clock;

    public IstioAuthenticationInterceptor(TrustDomain trustDomain, KubernetesTokenAuthenticator tokens, Clock clock) {
        this.trustDomain = trustDomain;
        this.tokens = tokens;
        this.clock = clock;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        IstioCaller caller;
        try {
            caller = authenticate(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION), headers);
        } catch (TokenRejectedException e) {
            log.warn(
                    "Istio CA call from {} refused: {}",
                    call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
                    e.getMessage());
            call.close(Status.UNAUTHENTICATED.withDescription(UNAUTHENTICATED_DESCRIPTION), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(IstioCaller.CURRENT, caller), call, headers, next);
    }

    private IstioCaller authenticate(SSLSession session, Metadata headers) throws TokenRejectedException {
        Optional<String> clusterId = Optional.ofNullable(headers.get(CLUSTER_ID));
        Optional<SpiffeId> svid = clientSvid(session);
        if (svid.isPresent()) {
            return new IstioCaller(svid.get(), "x509-svid", clusterId);
        }
        String authorization = headers.get(AUTHORIZATION);
        if (authorization == null) {
            throw new TokenRejectedException("no client certificate and no authorization header");
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new TokenRejectedException("authorization header is not a Bearer token");
        }
        ServiceAccount account =
                tokens.authenticate(authorization.substring(BEARER.length()).trim());
        try {
            return new IstioCaller(account.spiffeId(trustDomain), "k8s-token", clusterId);
        } catch (InvalidSpiffeIdException e) {
            throw new TokenRejectedException(
                    "service account " + account + " does not make a SPIFFE ID: " + e.getMessage());
        }
    }

    /**
     * The SPIFFE ID of a client certificate, which the handshake already verified against the bundle and
     * this trust domain; the expiry is checked again because a resumed session skips the handshake.
     */
    private Optional<SpiffeId> clientSvid(SSLSession session) throws TokenRejectedException {
        if (session == null) {
            return Optional.empty();
        }
        Certificate[] peer;
        try {
            peer = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
        X509Certificate leaf = (X509Certificate) peer[0];
        if (!leaf.getNotAfter().toInstant().isAfter(clock.instant())) {
            throw new TokenRejectedException(
                    "client certificate expired at " + leaf.getNotAfter().toInstant());
        }
        Optional<SpiffeId> id;
        try {
            id = Certificates.spiffeId(leaf);
        } catch (RuntimeException e) {
            throw new TokenRejectedException("client certificate has an invalid SPIFFE ID: " + e.getMessage());
        }
        if (id.isEmpty() || !id.get().memberOf(trustDomain)) {
            throw new TokenRejectedException("client certificate is not an X509-SVID of " + trustDomain);
        }
        return id;
    }
}
