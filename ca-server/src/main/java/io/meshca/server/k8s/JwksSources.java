package io.meshca.server.k8s;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import io.meshca.common.error.InvalidArgumentException;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import javax.net.ssl.SSLSocketFactory;

/** Where a trusted issuer's public keys come from: a JWKS file read once, or an HTTPS URL fetched and cached. */
public final class JwksSources {

    /** How long a fetched JWKS is used before it is fetched again (a token with an unknown kid refetches sooner). */
    static final Duration CACHE_TTL = Duration.ofMinutes(5);

    static final int TIMEOUT_MILLIS = 5_000;
    static final int SIZE_LIMIT_BYTES = 256 * 1024;

    private JwksSources() {}

    /** Reads the file now; only its public keys are kept. Throws naming the file if it is not a JWKS. */
    public static JWKSource<SecurityContext> fromFile(Path file) {
        try {
            JWKSet set = JWKSet.load(file.toFile()).toPublicJWKSet();
            if (set.isEmpty()) {
                throw new InvalidArgumentException("JWKS file " + file + " holds no keys");
            }
            return new ImmutableJWKSet<>(set);
        } catch (IOException e) {
            throw new InvalidArgumentException("cannot read JWKS file " + file + ": " + e.getMessage(), e);
        } catch (ParseException e) {
            throw new InvalidArgumentException(
                    "JWKS file " + file + " is not a JSON Web Key Set: " + e.getMessage(), e);
        }
    }

    /**
     * Fetches on first use, caches for {@link #CACHE_TTL}, refetches (rate-limited) when a token names a
     * kid the cached set lacks, retries once, and keeps using the last good set through an outage.
     *
     * @param sockets TLS sockets for the fetch (tests trust their own CA); null: the JDK default
     */
    public static JWKSource<SecurityContext> fromUrl(URI url, SSLSocketFactory sockets) {
        try {
            var retriever =
                    new DefaultResourceRetriever(TIMEOUT_MILLIS, TIMEOUT_MILLIS, SIZE_LIMIT_BYTES, true, sockets);
            return JWKSourceBuilder.<SecurityContext>create(url.toURL(), retriever)
                    .cache(CACHE_TTL.toMillis(), JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT)
                    .retrying(true)
                    .outageTolerant(true)
                    .build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new InvalidArgumentException("jwksURL " + url + " is not a URL: " + e.getMessage(), e);
        }
    }
}
