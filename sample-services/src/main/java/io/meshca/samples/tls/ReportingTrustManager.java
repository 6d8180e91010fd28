package io.meshca.samples.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Wraps java-spiffe's trust manager so that every refusal (peer not allowed, chain not trusted,
 * expired...) reaches a {@link RefusalListener}: a failed handshake otherwise leaves no trace on the
 * server side, and the operator could not tell which identity knocked.
 *
 * <p>Stays an {@link X509ExtendedTrustManager} so that the JDK does not wrap it with host name
 * verification: SPIFFE peers are identified by their URI SAN, not by a DNS name.
 */
public final class ReportingTrustManager extends X509ExtendedTrustManager {

    private static final int URI_SAN = 6;

    private final X509ExtendedTrustManager delegate;
    private final RefusalListener listener;

    public ReportingTrustManager(X509ExtendedTrustManager delegate, RefusalListener listener) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        report(chain, () -> delegate.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        report(chain, () -> delegate.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        report(chain, () -> delegate.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        report(chain, () -> delegate.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        report(chain, () -> delegate.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        report(chain, () -> delegate.checkServerTrusted(chain, authType));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    private interface Check {
        void run() throws CertificateException;
    }

    private void report(X509Certificate[] chain, Check check) throws CertificateException {
        try {
            check.run();
        } catch (CertificateException e) {
            listener.refused(describePeer(chain), String.valueOf(e.getMessage()));
            throw e;
        }
    }

    /** The leaf's URI SAN, which for a SPIFFE peer is its SPIFFE ID. */
    static String describePeer(X509Certificate[] chain) {
        if (chain == null || chain.length == 0) {
            return "(no certificate)";
        }
        try {
            Collection<List<?>> sans = chain[0].getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (((Integer) san.get(0)) == URI_SAN) {
                        return (String) san.get(1);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return "(unparsable subjectAltName)";
        }
        return "(no URI SAN, subject " + chain[0].getSubjectX500Principal().getName() + ")";
    }
}
