package io.meshca.agent.sds;

import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meshca.agent.api.CallSubscription;
import io.meshca.agent.cache.WorkloadIdentitySource;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.logging.LogSafe;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SDS call fed by one cache subscription: Envoy's requests and the cache's snapshots meet here,
 * {@link XdsStreamState} decides what is due, {@link SecretRenderer} renders it. Requests arrive on a
 * gRPC thread and snapshots on a cache thread, so both are handled under this object's lock, which
 * also keeps responses on the call from overlapping.
 *
 * <p>A caller that matches no entry gets PERMISSION_DENIED, as from the Workload API; while its SVIDs
 * are still being signed nothing is sent, and the answer comes with them. A resource it does not have
 * ends the call with INVALID_ARGUMENT naming it, also when a pushed change removes it. The
 * subscription is closed whenever the call ends, including the client cancelling.
 */
final class SecretStream implements StreamObserver<DiscoveryRequest> {

    static final String NO_IDENTITY = "no identity issued";
    static final String WRONG_TYPE = "this service serves only " + XdsStreamState.SECRET_TYPE_URL + ", not";

    private static final Logger log = LoggerFactory.getLogger(SecretStream.class);

    private final ServerCallStreamObserver<DiscoveryResponse> call;
    private final SecretRenderer renderer;
    private final XdsStreamState state;
    private final boolean oneResponse;

    // Envoy's requests, the cache's snapshots and the cancellation race: all take this stream's monitor.
    private final CallSubscription lifecycle;
    private X509Snapshot latest; // guarded by this

    private SecretStream(
            ServerCallStreamObserver<DiscoveryResponse> call,
            SecretRenderer renderer,
            XdsStreamState state,
            boolean oneResponse) {
        this.call = call;
        this.renderer = renderer;
        this.state = state;
        this.oneResponse = oneResponse;
        this.lifecycle = new CallSubscription(this, call);
    }

    /**
     * StreamSecrets: subscribes at once and returns the observer of Envoy's requests.
     *
     * @param subscribe subscribes a listener to the caller's snapshots
     */
    static StreamObserver<DiscoveryRequest> open(
            StreamObserver<DiscoveryResponse> call,
            SecretRenderer renderer,
            Function<Consumer<X509Snapshot>, WorkloadIdentitySource.Subscription> subscribe) {
        SecretStream stream = new SecretStream(serverCall(call), renderer, new XdsStreamState(), false);
        stream.subscribe(subscribe);
        return stream;
    }

    /** FetchSecrets: one request, one response (once the caller's SVIDs are there), then the call ends. */
    static void fetch(
            DiscoveryRequest request,
            StreamObserver<DiscoveryResponse> call,
            SecretRenderer renderer,
            Function<Consumer<X509Snapshot>, WorkloadIdentitySource.Subscription> subscribe) {
        SecretStream stream = new SecretStream(serverCall(call), renderer, new XdsStreamState(), true);
        stream.onNext(request);
        stream.subscribe(subscribe);
    }

    private static ServerCallStreamObserver<DiscoveryResponse> serverCall(StreamObserver<DiscoveryResponse> call) {
        return (ServerCallStreamObserver<DiscoveryResponse>) Objects.requireNonNull(call, "call");
    }

    private void subscribe(Function<Consumer<X509Snapshot>, WorkloadIdentitySource.Subscription> subscribe) {
        call.setOnCancelHandler(lifecycle::close);
        synchronized (this) {
            if (lifecycle.isDone()) {
                return; // a fetch whose request was refused
            }
        }
        WorkloadIdentitySource.Subscription opened;
        try {
            opened = Objects.requireNonNull(subscribe.apply(this::onSnapshot), "subscription");
        } catch (RuntimeException e) {
            lifecycle.fail(GrpcErrors.toStatus(e).getStatus());
            return;
        }
        lifecycle.attach(opened);
    }

    @Override
    public void onNext(DiscoveryRequest request) {
        WorkloadIdentitySource.Subscription ended = null;
        synchronized (this) {
            if (lifecycle.isDone()) {
                return;
            }
            if (!request.getTypeUrl().isEmpty() && !request.getTypeUrl().equals(XdsStreamState.SECRET_TYPE_URL)) {
                ended = lifecycle.endLocked(
                        Status.INVALID_ARGUMENT.withDescription(WRONG_TYPE + " \"" + request.getTypeUrl() + "\""));
            } else {
                ended = handle(request);
            }
        }
        CallSubscription.closeOutsideLock(ended);
    }

    private WorkloadIdentitySource.Subscription handle(DiscoveryRequest request) {
        switch (state.onRequest(request)) {
            case SUBSCRIBE:
                log.debug(
                        "SDS request for {} (version \"{}\")",
                        request.getResourceNamesList(),
                        request.getVersionInfo());
                return answer();
            case NACK:
                // Envoy's own message, about our secrets: holds no key material, but it is the caller's text
                log.warn(
                        "Envoy rejected SDS secrets {} version \"{}\": {}",
                        LogSafe.of(request.getResourceNamesList(), 256),
                        LogSafe.of(request.getVersionInfo()),
                        LogSafe.of(request.getErrorDetail().getMessage(), 512));
                return null;
            case ACK:
                log.debug(
                        "Envoy applied SDS secrets {} version \"{}\"",
                        request.getResourceNamesList(),
                        request.getVersionInfo());
                return null;
            case STALE:
                log.debug("ignoring an SDS request with stale nonce \"{}\"", request.getResponseNonce());
                return null;
            default:
                throw new IllegalStateException("unknown request kind");
        }
    }

    /** The cache's listener. */
    private void onSnapshot(X509Snapshot snapshot) {
        WorkloadIdentitySource.Subscription ended;
        synchronized (this) {
            if (lifecycle.isDone()) {
                return;
            }
            latest = snapshot;
            ended = answer();
        }
        CallSubscription.closeOutsideLock(ended);
    }

    /** Sends what is due, if anything (under the lock); returns the subscription to close if the call ended. */
    private WorkloadIdentitySource.Subscription answer() {
        if (!state.isSubscribed() || latest == null || latest.isAwaitingFirstSvid()) {
            return null;
        }
        if (latest.isEmpty()) {
            return lifecycle.endLocked(Status.PERMISSION_DENIED.withDescription(NO_IDENTITY));
        }
        List<Secret> secrets;
        try {
            secrets = renderer.render(latest, state.resourceNames());
        } catch (RuntimeException e) {
            return lifecycle.endLocked(GrpcErrors.toStatus(e).getStatus());
        }
        Optional<DiscoveryResponse> response = state.respond(secrets);
        if (response.isEmpty()) {
            return null;
        }
        // names, version and nonce only: a Secret's text form would print the private key
        log.debug(
                "sending SDS secrets {} version {} nonce {}",
                state.resourceNames(),
                response.get().getVersionInfo(),
                response.get().getNonce());
        call.onNext(response.get());
        if (oneResponse) {
            call.onCompleted();
            return lifecycle.detachLocked();
        }
        return null;
    }

    @Override
    public void onError(Throwable error) {
        lifecycle.close();
    }

    @Override
    public void onCompleted() {
        WorkloadIdentitySource.Subscription ended;
        synchronized (this) {
            if (lifecycle.isDone()) {
                return;
            }
            call.onCompleted();
            ended = lifecycle.detachLocked();
        }
        CallSubscription.closeOutsideLock(ended);
    }
}
