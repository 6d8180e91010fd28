package io.meshca.server.attestation.node;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.logging.LogSafe;
import io.meshca.common.selector.K8sPsatSelectors;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.k8s.BoundPod;
import io.meshca.server.k8s.JwksSources;
import io.meshca.server.k8s.KubernetesApi;
import io.meshca.server.k8s.KubernetesApiSettings;
import io.meshca.server.k8s.KubernetesClaims;
import io.meshca.server.k8s.KubernetesTokenAuthenticator;
import io.meshca.server.k8s.OidcDiscoveryJwks;
import io.meshca.server.k8s.TokenRejectedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attests a node by the projected service-account token of the agent's pod (payload = the token,
 * UTF-8), as SPIRE's {@code k8s_psat} does: the token must be signed by the cluster's issuer, valid now,
 * meant for the configured audience and issued to an allowed service account. The agent ID names the
 * node, {@code spiffe://<td>/meshca/agent/k8s_psat/<cluster>/<node uid>}, so an agent that restarts or
 * loses its SVID attests again with a fresh token and gets the same ID: tokens are not single-use.
 *
 * <p>Where the config names the API server ({@link K8sPsatConfig}), the token is checked by a TokenReview
 * instead of the issuer's keys, and the pod and node it is bound to must still exist with the token's
 * UIDs; their allowed labels become selectors.
 *
 * <p>Why a token is refused is logged here; the agent is told only {@link #REFUSED}, so that a prober
 * learns nothing about the cluster's issuer or allow list.
 */
public final class K8sPsatAttestor implements NodeAttestor {

    public static final String TYPE = K8sPsatSelectors.TYPE;
    public static final String REFUSED = "k8s_psat attestation refused";
    public static final String EMPTY = "k8s_psat token is empty";
    public static final String API_UNAVAILABLE = "k8s_psat attestation: the cluster's API server cannot be asked";

    private static final String SERVICE_ACCOUNT_USER = "system:serviceaccount:";

    private static final Logger log = LoggerFactory.getLogger(K8sPsatAttestor.class);
    /** The node UID is a segment of the agent ID; Kubernetes UIDs are UUIDs. */
    private static final Pattern UID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final TrustDomain trustDomain;
    private final K8sPsatConfig config;
    private final KubernetesTokenAuthenticator tokens;
    private final KubernetesApi api;

    /**
     * An attestor that asks the API server nothing.
     *
     * @param keys the issuer's keys (a JWKS file, or OIDC discovery)
     */
    public K8sPsatAttestor(
            TrustDomain trustDomain, K8sPsatConfig config, JWKSource<SecurityContext> keys, Clock clock) {
        this(trustDomain, config, keys, null, clock);
    }

    /**
     * @param keys the issuer's keys; null if the API server reviews the tokens
     * @param api the cluster's API server; null if the config asks for no lookup
     */
    public K8sPsatAttestor(
            TrustDomain trustDomain,
            K8sPsatConfig config,
            JWKSource<SecurityContext> keys,
            KubernetesApi api,
            Clock clock) {
        this.trustDomain = trustDomain;
        this.config = config;
        this.tokens = config.useTokenReview()
                ? null
                : new KubernetesTokenAuthenticator(
                        List.of(new KubernetesTokenAuthenticator.Issuer(
                                config.issuer(), keys, List.of(config.audience()))),
                        clock);
        this.api = api;
        if (api == null && config.apiServerSettings().isPresent()) {
            throw new IllegalArgumentException("the config asks the API server, and no client for it was given");
        }
    }

    /** The attestor of {@code config}; a JWKS file is read now, so that a broken one stops the start. */
    public static K8sPsatAttestor create(TrustDomain trustDomain, K8sPsatConfig config, Clock clock) {
        JWKSource<SecurityContext> keys = config.useTokenReview()
                ? null
                : config.jwksFilePath()
                        .map(JwksSources::fromFile)
                        .orElseGet(() -> new OidcDiscoveryJwks(config.issuer(), null, clock));
        KubernetesApi api =
                config.apiServerSettings().map(KubernetesApiSettings::client).orElse(null);
        return new K8sPsatAttestor(trustDomain, config, keys, api, clock);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public AttestStep attest(byte[] payload) {
        String token = new String(payload, StandardCharsets.UTF_8).trim();
        if (token.isEmpty()) {
            throw new InvalidArgumentException(EMPTY);
        }
        try {
            BoundPod pod = config.useTokenReview() ? reviewed(token) : KubernetesClaims.boundPod(tokens.verify(token));
            String account = pod.namespace() + ":" + pod.serviceAccountName();
            if (!config.serviceAccountAllowList().contains(account)) {
                throw new TokenRejectedException("service account " + account + " is not in serviceAccountAllowList");
            }
            if (!UID.matcher(pod.nodeUid()).matches()) {
                throw new TokenRejectedException("node uid is not a Kubernetes UID (a lowercase UUID)");
            }
            List<Selector> selectors = new ArrayList<>(selectors(pod));
            if (api != null) {
                selectors.addAll(lookedUp(pod));
            }
            return new AttestStep.Attested(new AttestResult(agentId(pod.nodeUid()), SelectorSet.of(selectors)));
        } catch (TokenRejectedException e) {
            log.warn("k8s_psat attestation refused for cluster {}: {}", config.cluster(), e.getMessage());
            throw new PermissionDeniedException(REFUSED);
        } catch (IOException e) {
            log.warn("k8s_psat attestation for cluster {} failed: {}", config.cluster(), e.getMessage());
            throw new UnavailableException(API_UNAVAILABLE);
        }
    }

    /** The pod and node the API server says the token is bound to, once it has authenticated it. */
    private BoundPod reviewed(String token) throws IOException, TokenRejectedException {
        KubernetesApi.TokenReview review = api.review(token, config.audience());
        if (!review.authenticated()) {
            throw new TokenRejectedException("the API server did not authenticate the token"
                    + (review.error().isEmpty() ? "" : ": " + LogSafe.of(review.error())));
        }
        if (!review.audiences().isEmpty() && !review.audiences().contains(config.audience())) {
            throw new TokenRejectedException("the API server authenticated the token for "
                    + LogSafe.of(review.audiences()) + ", not for " + config.audience());
        }
        String[] account = review.username().startsWith(SERVICE_ACCOUNT_USER)
                ? review.username().substring(SERVICE_ACCOUNT_USER.length()).split(":", -1)
                : new String[0];
        if (account.length != 2 || account[0].isEmpty() || account[1].isEmpty()) {
            throw new TokenRejectedException(
                    "the token is not a service account's: user " + LogSafe.of(review.username()));
        }
        return new BoundPod(
                account[0],
                account[1],
                review.uid(),
                bound(review, "pod-name"),
                bound(review, "pod-uid"),
                bound(review, "node-name"),
                bound(review, "node-uid"));
    }

    private static String bound(KubernetesApi.TokenReview review, String name) throws TokenRejectedException {
        return review.extra(name)
                .orElseThrow(() -> new TokenRejectedException("the API server's review names no " + name
                        + " (a token not bound to a pod, or a cluster before Kubernetes 1.30)"));
    }

    /**
     * Checks that the pod and the node the token is bound to still exist as the token names them, and
     * returns the selectors of their allowed labels.
     */
    private List<Selector> lookedUp(BoundPod bound) throws IOException, TokenRejectedException {
        String podName = bound.namespace() + "/" + bound.podName();
        KubernetesApi.ClusterObject pod = api.pod(bound.namespace(), bound.podName())
                .orElseThrow(() -> new TokenRejectedException("pod " + podName + " no longer exists"));
        if (!pod.uid().equals(bound.podUid())) {
            throw new TokenRejectedException("pod " + podName + " has UID " + pod.uid() + ", the token was issued to "
                    + bound.podUid() + " (the pod was deleted and made again)");
        }
        if (!pod.nodeName().equals(bound.nodeName())) {
            throw new TokenRejectedException("pod " + podName + " runs on node " + LogSafe.of(pod.nodeName())
                    + ", the token names node " + bound.nodeName());
        }
        KubernetesApi.ClusterObject node = api.node(bound.nodeName())
                .orElseThrow(() -> new TokenRejectedException("node " + bound.nodeName() + " no longer exists"));
        if (!node.uid().equals(bound.nodeUid())) {
            throw new TokenRejectedException("node " + bound.nodeName() + " has UID " + node.uid()
                    + ", the token names " + bound.nodeUid() + " (the node was deleted and made again)");
        }
        List<Selector> selectors = new ArrayList<>();
        labels(selectors, K8sPsatSelectors.AGENT_NODE_LABEL, node.labels(), config.allowedNodeLabelKeys());
        labels(selectors, K8sPsatSelectors.AGENT_POD_LABEL, pod.labels(), config.allowedPodLabelKeys());
        return selectors;
    }

    private static void labels(
            List<Selector> selectors, String kind, Map<String, String> labels, Set<String> allowedKeys) {
        new TreeMap<>(labels).forEach((key, value) -> {
            if (allowedKeys.contains(key)) {
                selectors.add(new Selector(TYPE, K8sPsatSelectors.label(kind, key, value)));
            }
        });
    }

    private SpiffeId agentId(String nodeUid) {
        return trustDomain.withPath("/meshca/agent/" + TYPE + "/" + config.cluster() + "/" + nodeUid);
    }

    private List<Selector> selectors(BoundPod pod) {
        return List.of(
                selector(K8sPsatSelectors.CLUSTER, config.cluster()),
                selector(K8sPsatSelectors.AGENT_NS, pod.namespace()),
                selector(K8sPsatSelectors.AGENT_SA, pod.serviceAccountName()),
                selector(K8sPsatSelectors.AGENT_POD_NAME, pod.podName()),
                selector(K8sPsatSelectors.AGENT_POD_UID, pod.podUid()),
                selector(K8sPsatSelectors.AGENT_NODE_NAME, pod.nodeName()),
                selector(K8sPsatSelectors.AGENT_NODE_UID, pod.nodeUid()));
    }

    private static Selector selector(String key, String value) {
        return new Selector(TYPE, K8sPsatSelectors.value(key, value));
    }
}
