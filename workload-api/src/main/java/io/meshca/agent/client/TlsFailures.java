package io.meshca.agent.client;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/**
 * Reads the TLS cause out of a failed call's exception chain ({@code SSLHandshakeException},
 * {@code CertPathValidatorException}, wrapped by Netty and gRPC), so that a refused server certificate
 * is reported as such (most often: the agent was given another CA's bundle) rather than as an
 * unreachable server.
 */
public final class TlsFailures {

    private TlsFailures() {}

    /** The server's certificate chain did not verify against the trust anchors the agent holds. */
    public static boolean certificatePathRejected(Throwable error) {
        return find(error, CertPathValidatorException.class) != null;
    }

    /** The agent refused the server's certificate (its chain, or the SPIFFE ID it carries). */
    static boolean certificateRejected(Throwable error) {
        return find(error, CertificateException.class) != null;
    }

    /** TLS failed (the handshake, on either side, or the session). */
    static boolean handshakeFailed(Throwable error) {
        return find(error, SSLException.class) != null;
    }

    /** The innermost TLS or certificate message of the chain: the reason, without the wrappers' class names. */
    static String reason(Throwable error) {
        String reason = null;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if ((t instanceof SSLException || t instanceof CertificateException) && t.getMessage() != null) {
                reason = t.getMessage();
            }
        }
        return reason == null ? "unknown reason" : reason;
    }

    /** The first exception of {@code type} in the cause chain, or null. */
    static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
