package io.meshca.common.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Client TLS contexts for talking to an HTTPS server whose certificate a private CA signed (a kubelet,
 * a Kubernetes API server), with the JDK's usual host name check.
 */
public final class WebPkiContexts {

    private WebPkiContexts() {}

    /**
     * A context that trusts exactly {@code cas}.
     *
     * @throws IllegalArgumentException if {@code cas} is empty
     */
    public static SSLContext trusting(List<X509Certificate> cas) {
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("no CA certificate to trust");
        }
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                trusted.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK cannot build a TLS context", e);
        }
    }
}
