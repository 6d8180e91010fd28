package io.meshca.agent.sds;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.secret.v3.SecretDiscoveryServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.meshca.agent.api.CallerSelectors;
import io.meshca.agent.cache.WorkloadIdentitySource;
import io.meshca.common.spiffe.SelectorSet;
import java.util.Objects;

/**
 * Envoy's Secret Discovery Service (v3, state of the world) over the agent's identity source. Thin:
 * the caller's selectors come from the context ({@link CallerSelectors}), the protocol is in
 * {@link SecretStream}, the secrets' form in {@link SecretRenderer}. Incremental (delta) xDS is not
 * offered; Envoy falls back to state of the world when configured for it.
 */
public final class SecretDiscoveryService extends SecretDiscoveryServiceGrpc.SecretDiscoveryServiceImplBase {

    static final String DELTA_UNSUPPORTED = "incremental (delta) SDS is not supported; use state-of-the-world SDS";

    private final WorkloadIdentitySource source;
    private final SecretRenderer renderer;

    public SecretDiscoveryService(WorkloadIdentitySource source, SdsSettings settings) {
        this.source = Objects.requireNonNull(source, "source");
        this.renderer = new SecretRenderer(settings);
    }

    @Override
    public StreamObserver<DiscoveryRequest> streamSecrets(StreamObserver<DiscoveryResponse> responses) {
        SelectorSet selectors = CallerSelectors.current();
        return SecretStream.open(responses, renderer, listener -> source.subscribe(selectors, listener));
    }

    @Override
    public void fetchSecrets(DiscoveryRequest request, StreamObserver<DiscoveryResponse> responses) {
        SelectorSet selectors = CallerSelectors.current();
        SecretStream.fetch(request, responses, renderer, listener -> source.subscribe(selectors, listener));
    }

    @Override
    public StreamObserver<DeltaDiscoveryRequest> deltaSecrets(StreamObserver<DeltaDiscoveryResponse> responses) {
        responses.onError(
                Status.UNIMPLEMENTED.withDescription(DELTA_UNSUPPORTED).asRuntimeException());
        return new StreamObserver<>() {
            @Override
            public void onNext(DeltaDiscoveryRequest request) {}

            @Override
            public void onError(Throwable error) {}

            @Override
            public void onCompleted() {}
        };
    }
}
