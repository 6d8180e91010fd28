package io.meshca.samples.orders;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.samples.status.FailureSide;
import io.meshca.samples.status.StatusLine;
import java.security.cert.CertificateException;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Turns a failed call into a {@link StatusLine.RequestFailed}: its status, the exception under it, and
 * the side that broke. gRPC reports every transport failure as {@code UNAVAILABLE}; the exception
 * chain under the status is what tells a refused certificate from a closed port.
 */
final class FailureClassifier {

    /**
     * How the JDK's TLS words an alert the peer sent: payments ended the handshake, so the refusal is
     * payments' (its log, and its {@code refused} line, say why).
     */
    static final String ALERT_FROM_PEER = "Received fatal alert";

    private FailureClassifier() {}

    static StatusLine.RequestFailed of(String orderId, StatusRuntimeException e) {
        Status status = e.getStatus();
        Throwable cause = status.getCause();
        Optional<Throwable> refusal = find(cause, CertificateException.class);
        Optional<Throwable> tls = find(cause, SSLException.class);
        Throwable telling = refusal.or(() -> tls).orElse(cause);
        return new StatusLine.RequestFailed(
                orderId,
                side(status, cause, refusal.isPresent(), tls),
                status.getCode().name(),
                e.getClass().getName(),
                telling == null ? StatusLine.NONE : telling.getClass().getName(),
                description(status.getDescription(), telling));
    }

    /** payments answered, but not with a receipt orders can accept. */
    static StatusLine.RequestFailed badReceipt(String orderId, String why) {
        return new StatusLine.RequestFailed(
                orderId, FailureSide.BAD_RECEIPT, Status.Code.OK.name(), StatusLine.NONE, StatusLine.NONE, why);
    }

    private static FailureSide side(Status status, Throwable cause, boolean refusedByOrders, Optional<Throwable> tls) {
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return FailureSide.DEADLINE;
        }
        if (refusedByOrders) {
            // only orders' own trust manager throws CertificateException into orders' handshake
            return FailureSide.CLIENT_TLS;
        }
        if (tls.isPresent()) {
            return String.valueOf(tls.get().getMessage()).contains(ALERT_FROM_PEER)
                    ? FailureSide.SERVER_REJECTION
                    : FailureSide.CLIENT_TLS;
        }
        if (status.getCode() == Status.Code.UNAVAILABLE) {
            return FailureSide.CONNECTION;
        }
        // a status without a local exception under it is one payments sent
        return cause == null && status.getCode() != Status.Code.CANCELLED
                ? FailureSide.SERVER_REJECTION
                : FailureSide.CLIENT;
    }

    private static String description(String statusDescription, Throwable telling) {
        String text = statusDescription == null ? "(no description)" : statusDescription;
        if (telling != null && telling.getMessage() != null && !text.contains(telling.getMessage())) {
            text += "; " + telling.getMessage();
        }
        return text;
    }

    private static Optional<Throwable> find(Throwable chain, Class<? extends Throwable> type) {
        for (Throwable t = chain; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
