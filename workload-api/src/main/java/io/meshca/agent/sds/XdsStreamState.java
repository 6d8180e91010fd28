package io.meshca.agent.sds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The state-of-the-world xDS protocol of one SDS stream, without I/O or threads (the caller
 * serialises calls). It classifies each request and decides when a response is due:
 *
 * <ul>
 *   <li>before anything was sent, every request subscribes (Envoy's first request has no nonce);</li>
 *   <li>afterwards a request must echo the last nonce sent, else it is stale and ignored: it answers
 *       a response that has been superseded, and Envoy will answer the newer one too;</li>
 *   <li>echoing it with {@code error_detail} is a NACK: Envoy rejected the secrets, and sending them
 *       again would not help (nothing is re-sent until the content changes);</li>
 *   <li>echoing it with the same resource names (in any order) is an ACK; with other names it
 *       subscribes to those, and is answered.</li>
 * </ul>
 *
 * A response is due for every subscribing request and, unsolicited, whenever the rendered secrets
 * differ from the last ones sent. Versions are a per-stream counter, incremented with every response
 * (so a version names one content on one stream); nonces are random UUIDs.
 */
final class XdsStreamState {

    /** What a request means for the stream. */
    enum RequestKind {
        /** First request, or new resource names: answer it. */
        SUBSCRIBE,
        /** The last response was applied: nothing to do. */
        ACK,
        /** The last response was rejected: log it, do not re-send. */
        NACK,
        /** Echoes an older nonce: ignore. */
        STALE
    }

    static final String SECRET_TYPE_URL = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

    private final Supplier<String> nonces;

    private List<String> resourceNames;
    private boolean answerDue;
    private String lastNonce;
    private List<Secret> lastSent;
    private long version;

    XdsStreamState() {
        this(() -> UUID.randomUUID().toString());
    }

    XdsStreamState(Supplier<String> nonces) {
        this.nonces = Objects.requireNonNull(nonces, "nonces");
    }

    /** Classifies {@code request} and, if it subscribes, takes its resource names. */
    RequestKind onRequest(DiscoveryRequest request) {
        if (lastNonce != null) {
            if (!request.getResponseNonce().equals(lastNonce)) {
                return RequestKind.STALE;
            }
            if (request.hasErrorDetail()) {
                return RequestKind.NACK;
            }
            if (Set.copyOf(request.getResourceNamesList()).equals(Set.copyOf(resourceNames))) {
                return RequestKind.ACK;
            }
        }
        resourceNames = List.copyOf(request.getResourceNamesList());
        answerDue = true;
        return RequestKind.SUBSCRIBE;
    }

    /** True once a request has named what the stream wants. */
    boolean isSubscribed() {
        return resourceNames != null;
    }

    /** The names of the current subscription (empty: everything); only when {@link #isSubscribed()}. */
    List<String> resourceNames() {
        if (resourceNames == null) {
            throw new IllegalStateException("no request yet");
        }
        return resourceNames;
    }

    /** The nonce of the last response, or empty before the first. */
    Optional<String> lastNonce() {
        return Optional.ofNullable(lastNonce);
    }

    /**
     * The response to send for the current rendering of the subscription, if one is due: a subscribing
     * request is waiting for it, or the secrets changed since the last response.
     */
    Optional<DiscoveryResponse> respond(List<Secret> secrets) {
        if (!isSubscribed()) {
            throw new IllegalStateException("no request yet");
        }
        if (!answerDue && secrets.equals(lastSent)) {
            return Optional.empty();
        }
        answerDue = false;
        lastSent = List.copyOf(secrets);
        lastNonce = nonces.get();
        version++;
        DiscoveryResponse.Builder response = DiscoveryResponse.newBuilder()
                .setVersionInfo(Long.toString(version))
                .setNonce(lastNonce)
                .setTypeUrl(SECRET_TYPE_URL);
        secrets.forEach(secret -> response.addResources(Any.pack(secret)));
        return Optional.of(response.build());
    }
}
