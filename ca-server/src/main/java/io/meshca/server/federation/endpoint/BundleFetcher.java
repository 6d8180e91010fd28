package io.meshca.server.federation.endpoint;

import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.bundle.SpiffeBundleCodec;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.files.TextFiles;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.tls.SpiffeAuthorizers;
import io.meshca.common.tls.SpiffeTrustManager;
import io.meshca.server.model.FederationRelationship;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Fetches a foreign trust domain's bundle from its bundle endpoint. https_web: Web PKI (the JDK's
 * trust store, or the relationship's CA file) with the usual host name check. https_spiffe: the
 * endpoint must present an X509-SVID that chains to the bundle we already hold for that domain and
 * carries exactly the configured endpoint SPIFFE ID (no host name check: the SPIFFE ID is the
 * identity). The document is always parsed as the relationship's trust domain, never another.
 */
public final class BundleFetcher {

    /** A bundle document is a few KB; refuse to buffer anything absurd. */
    static final int MAX_DOCUMENT_BYTES = 1024 * 1024;

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Function<TrustDomain, List<X509Certificate>> currentAuthorities;
    private final Clock clock;

    /** {@code currentAuthorities}: the X.509 authorities we hold for a trust domain (for https_spiffe). */
    public BundleFetcher(Function<TrustDomain, List<X509Certificate>> currentAuthorities, Clock clock) {
        this.currentAuthorities = currentAuthorities;
        this.clock = clock;
    }

    /**
     * @throws UnavailableException if the endpoint cannot be reached or authenticated, or answers non-200
     * @throws io.meshca.common.bundle.InvalidBundleException if the document is refused
     */
    public SpiffeBundle fetch(FederationRelationship rel) {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(sslContext(rel))
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpRequest request = HttpRequest.newBuilder(rel.bundleEndpointUrl())
                .timeout(TIMEOUT)
                .GET()
                .build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UnavailableException("cannot fetch the bundle of " + rel.trustDomain() + " from "
                    + rel.bundleEndpointUrl() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while fetching the bundle of " + rel.trustDomain());
        }
        if (response.statusCode() != 200) {
            throw new UnavailableException(
                    "bundle endpoint " + rel.bundleEndpointUrl() + " answered HTTP " + response.statusCode());
        }
        if (response.body().length > MAX_DOCUMENT_BYTES) {
            throw new InvalidArgumentException(
                    "bundle document from " + rel.bundleEndpointUrl() + " is larger than 1 MiB");
        }
        return SpiffeBundleCodec.parse(rel.trustDomain(), new String(response.body(), StandardCharsets.UTF_8));
    }

    private SSLContext sslContext(FederationRelationship rel) {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trustManagers(rel), null);
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS to " + rel.bundleEndpointUrl(), e);
        }
    }

    private TrustManager[] trustManagers(FederationRelationship rel) throws GeneralSecurityException {
        if (rel.profile() == FederationRelationship.Profile.HTTPS_SPIFFE) {
            return new TrustManager[] {
                new SpiffeTrustManager(
                        () -> currentAuthorities.apply(rel.trustDomain()),
                        SpiffeAuthorizers.is(rel.endpointSpiffeId()),
                        clock)
            };
        }
        if (rel.caFile().isEmpty()) {
            return null; // the JDK's default trust store
        }
        List<X509Certificate> cas;
        try {
            cas = Pem.decodeCertificates(TextFiles.readPem(rel.trustedCaFile(), "trusted CA file"));
        } catch (InvalidArgumentException e) {
            throw new UnavailableException(e.getMessage());
        } catch (RuntimeException e) {
            throw new UnavailableException(
                    "cannot read trusted CA file " + rel.trustedCaFile() + ": " + e.getMessage());
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < cas.size(); i++) {
            store.setCertificateEntry("ca-" + i, cas.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }
}
