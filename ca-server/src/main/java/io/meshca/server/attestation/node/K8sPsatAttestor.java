package io.meshca.server.attestation.node;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.selector.K8sPsatSelectors;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.k8s.BoundPod;
import io.meshca.server.k8s.JwksSources;
import io.meshca.server.k8s.KubernetesClaims;
import io.meshca.server.k8s.KubernetesTokenAuthenticator;
import io.meshca.server.k8s.OidcDiscoveryJwks;
import io.meshca.server.k8s.TokenRejectedException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
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
 * <p>Why a token is refused is logged here; the agent is told only {@link #REFUSED}, so that a prober
 * learns nothing about the cluster's issuer or allow list.
 */
public final class K8sPsatAttestor implements NodeAttestor {

    public static final String TYPE = K8sPsatSelectors.TYPE;
    public static final String REFUSED = "k8s_psat attestation refused";
    public static final String EMPTY = "k8s_psat token is empty";

    private static final Logger log = LoggerFactory.getLogger(K8sPsatAttestor.class);
    /** The node UID is a segment of the agent ID; Kubernetes UIDs are UUIDs. */
    private static final Pattern UID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final TrustDomain trustDomain;
    private final K8sPsatConfig config;
    private final KubernetesTokenAuthenticator tokens;

    /** @param keys the issuer's keys (a JWKS file, or OIDC discovery) */
    public K8sPsatAttestor(
            TrustDomain trustDomain, K8sPsatConfig config, JWKSource<SecurityContext> keys, Clock clock) {
        this.trustDomain = trustDomain;
        this.config = config;
        this.tokens = new KubernetesTokenAuthenticator(
                List.of(new KubernetesTokenAuthenticator.Issuer(config.issuer(), keys, List.of(config.audience()))),
                clock);
    }

    /** The attestor of {@code config}; a JWKS file is read now, so that a broken one stops the start. */
    public static K8sPsatAttestor create(TrustDomain trustDomain, K8sPsatConfig config, Clock clock) {
        JWKSource<SecurityContext> keys = config.jwksFilePath()
                .map(JwksSources::fromFile)
                .orElseGet(() -> new OidcDiscoveryJwks(config.issuer(), null, clock));
        return new K8sPsatAttestor(trustDomain, config, keys, clock);
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
            BoundPod pod = KubernetesClaims.boundPod(tokens.verify(token));
            String account = pod.namespace() + ":" + pod.serviceAccountName();
            if (!config.serviceAccountAllowList().contains(account)) {
                throw new TokenRejectedException("service account " + account + " is not in serviceAccountAllowList");
            }
            if (!UID.matcher(pod.nodeUid()).matches()) {
                throw new TokenRejectedException("node uid is not a Kubernetes UID (a lowercase UUID)");
            }
            return new AttestStep.Attested(new AttestResult(agentId(pod.nodeUid()), selectors(pod)));
        } catch (TokenRejectedException e) {
            log.warn("k8s_psat attestation refused for cluster {}: {}", config.cluster(), e.getMessage());
            throw new PermissionDeniedException(REFUSED);
        }
    }

    private SpiffeId agentId(String nodeUid) {
        return trustDomain.withPath("/meshca/agent/" + TYPE + "/" + config.cluster() + "/" + nodeUid);
    }

    private SelectorSet selectors(BoundPod pod) {
        return SelectorSet.of(
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
