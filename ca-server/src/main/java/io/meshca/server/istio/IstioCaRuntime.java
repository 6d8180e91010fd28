package io.meshca.server.istio;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.grpc.ServerInterceptors;
import io.meshca.common.grpc.ErrorMappingInterceptor;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.tls.SpiffeAuthorizers;
import io.meshca.common.tls.SpiffeTrustManager;
import io.meshca.server.ca.RenewingTlsIdentity;
import io.meshca.server.ca.SvidIssuer;
import io.meshca.server.ca.signing.X509SvidSigner;
import io.meshca.server.config.IstioCaConfig;
import io.meshca.server.k8s.JwksSources;
import io.meshca.server.k8s.KubernetesTokenAuthenticator;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * Istio's CA API as one unit for the composition root: the trusted token issuers and their keys, the
 * serving certificate and its renewal, the authenticated service and its listener. {@link #close()}
 * stops the listener and the renewals.
 */
public final class IstioCaRuntime implements AutoCloseable {

    private final RenewingTlsIdentity serving;
    private final IstioCaListener listener;

    private IstioCaRuntime(RenewingTlsIdentity serving, IstioCaListener listener) {
        this.serving = serving;
        this.listener = listener;
    }

    /** Re-issues the serving certificate now (an authority in its chain was tainted). */
    public void renewServingCertificate() {
        serving.renewNow();
    }

    /**
     * @param signer signs the serving certificate (with the server's ID and the configured DNS names)
     * @param issuer issues the callers' certificates (audited)
     * @param bundle the trust domain's current X.509 roots
     * @param servingTtl lifetime of each serving certificate
     */
    public static IstioCaRuntime start(
            IstioCaConfig config,
            TrustDomain trustDomain,
            SpiffeId serverId,
            X509SvidSigner signer,
            SvidIssuer issuer,
            Supplier<List<X509Certificate>> bundle,
            Duration servingTtl,
            Clock clock,
            ScheduledExecutorService scheduler)
            throws IOException {
        // Issuers' JWKS files are read now, so that a missing or broken file stops the start.
        List<KubernetesTokenAuthenticator.Issuer> issuers = config.trustedIssuers().stream()
                .map(t -> new KubernetesTokenAuthenticator.Issuer(t.issuer(), keys(t), t.audiences()))
                .toList();
        var authentication = new IstioAuthenticationInterceptor(
                trustDomain, new KubernetesTokenAuthenticator(issuers, clock), clock);
        var service =
                new IstioCertificateService(issuer, new ValidityPolicy(config.defaultTtl(), config.maxTtl()), bundle);
        RenewingTlsIdentity serving = new RenewingTlsIdentity(
                "Istio CA serving certificate",
                serverId,
                config.servingDnsNames(),
                signer,
                servingTtl,
                clock,
                scheduler);
        serving.start();
        try {
            IstioCaListener listener = IstioCaListener.start(
                    config,
                    serving::current,
                    new SpiffeTrustManager(bundle, SpiffeAuthorizers.memberOf(trustDomain), clock),
                    ServerInterceptors.intercept(service, new ErrorMappingInterceptor(), authentication));
            return new IstioCaRuntime(serving, listener);
        } catch (IOException | RuntimeException e) {
            serving.close();
            throw e;
        }
    }

    public int port() {
        return listener.port();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            listener.close();
        } finally {
            serving.close();
        }
    }

    /** The keys of {@code issuer}; the JDK's trust store verifies an HTTPS endpoint. */
    private static JWKSource<SecurityContext> keys(IstioCaConfig.TrustedIssuer issuer) {
        return issuer.jwksFilePath()
                .map(JwksSources::fromFile)
                .orElseGet(() -> JwksSources.fromUrl(issuer.jwksUri().orElseThrow(), null));
    }
}
