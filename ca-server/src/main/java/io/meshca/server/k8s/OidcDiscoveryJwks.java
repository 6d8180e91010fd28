package io.meshca.server.k8s;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.meshca.common.logging.LogSafe;
import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocketFactory;

/**
 * The keys of an OIDC issuer (a Kubernetes API server is one), found through its discovery document
 * {@code <issuer>/.well-known/openid-configuration}: its {@code jwks_uri} is then fetched and cached as
 * {@link JwksSources#fromUrl} does. The document is read on first use, not at start, so a server starts
 * while the cluster is unreachable; after a failed read it is not asked for again before {@link
 * #RETRY_AFTER}, so that a stream of tokens cannot turn into a stream of fetches.
 */
public final class OidcDiscoveryJwks implements JWKSource<SecurityContext> {

    public static final String WELL_KNOWN = "/.well-known/openid-configuration";
    /** How long a failed read of the discovery document is the answer, before it is read again. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(30);

    private final String issuer;
    private final SSLSocketFactory sockets;
    private final Clock clock;
    private JWKSource<SecurityContext> keys;
    private KeySourceException lastFailure;
    private Instant lastFailureAt;

    /**
     * @param issuer an {@code https://} issuer, as tokens name it in {@code iss}
     * @param sockets TLS sockets for both fetches (tests trust their own CA); null: the JDK default
     */
    public OidcDiscoveryJwks(String issuer, SSLSocketFactory sockets, Clock clock) {
        this.issuer = issuer;
        this.sockets = sockets;
        this.clock = clock;
    }

    /** Where the discovery document of {@code issuer} is. */
    public static URI discoveryUri(String issuer) {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        return URI.create(base + WELL_KNOWN);
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        return keys().get(selector, context);
    }

    private synchronized JWKSource<SecurityContext> keys() throws KeySourceException {
        if (keys != null) {
            return keys;
        }
        Instant now = clock.instant();
        if (lastFailure != null && now.isBefore(lastFailureAt.plus(RETRY_AFTER))) {
            throw new KeySourceException(lastFailure.getMessage() + " (at " + lastFailureAt + "; retried after "
                    + lastFailureAt.plus(RETRY_AFTER) + ")");
        }
        try {
            keys = JwksSources.fromUrl(jwksUri(), sockets);
            return keys;
        } catch (KeySourceException e) {
            lastFailure = e;
            lastFailureAt = now;
            throw e;
        }
    }

    private URI jwksUri() throws KeySourceException {
        URI discovery = discoveryUri(issuer);
        Map<String, Object> document;
        try {
            var retriever = new DefaultResourceRetriever(
                    JwksSources.TIMEOUT_MILLIS,
                    JwksSources.TIMEOUT_MILLIS,
                    JwksSources.SIZE_LIMIT_BYTES,
                    true,
                    sockets);
            document = JSONObjectUtils.parse(
                    retriever.retrieveResource(discovery.toURL()).getContent());
        } catch (IOException e) {
            throw new KeySourceException(
                    "cannot fetch OIDC discovery document " + discovery + ": " + e.getMessage(), e);
        } catch (ParseException e) {
            throw new KeySourceException("OIDC discovery document " + discovery + " is not a JSON object", e);
        }
        // The document must be the issuer's own (OpenID Connect Discovery 1.0, section 4.3).
        if (!issuer.equals(document.get("issuer"))) {
            throw new KeySourceException("OIDC discovery document " + discovery + " names issuer "
                    + LogSafe.of(document.get("issuer")) + ", not " + issuer);
        }
        if (!(document.get("jwks_uri") instanceof String jwksUri) || !jwksUri.startsWith("https://")) {
            throw new KeySourceException("OIDC discovery document " + discovery + " has no https:// jwks_uri");
        }
        try {
            return URI.create(jwksUri);
        } catch (IllegalArgumentException e) {
            throw new KeySourceException("OIDC discovery document " + discovery + " has an invalid jwks_uri", e);
        }
    }
}
