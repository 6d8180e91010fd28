package io.meshca.samples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.samples.status.FailureSide;
import io.meshca.samples.status.StatusLine;
import java.net.ConnectException;
import java.security.cert.CertificateException;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FailureClassifierTest {

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(
                        Status.DEADLINE_EXCEEDED.withDescription("CallOptions deadline exceeded after 4.27s"),
                        FailureSide.DEADLINE,
                        StatusLine.NONE),
                // orders' trust manager refused payments: JDK TLS wraps its CertificateException
                Arguments.of(
                        Status.UNAVAILABLE
                                .withDescription("io exception")
                                .withCause(
                                        handshake("PKIX path validation failed", new CertificateException("expired"))),
                        FailureSide.CLIENT_TLS,
                        "java.security.cert.CertificateException"),
                Arguments.of(
                        Status.UNAVAILABLE.withCause(new SSLException("Unsupported or unrecognized SSL message")),
                        FailureSide.CLIENT_TLS,
                        "javax.net.ssl.SSLException"),
                Arguments.of(
                        Status.UNAVAILABLE
                                .withDescription("ssl exception")
                                .withCause(handshake(
                                        "(certificate_unknown) Received fatal alert: certificate_unknown", null)),
                        FailureSide.SERVER_REJECTION,
                        "javax.net.ssl.SSLHandshakeException"),
                Arguments.of(
                        Status.UNAVAILABLE
                                .withDescription("io exception")
                                .withCause(new ConnectException("Connection refused")),
                        FailureSide.CONNECTION,
                        "java.net.ConnectException"),
                Arguments.of(
                        Status.UNAVAILABLE.withDescription("Network closed for unknown reason"),
                        FailureSide.CONNECTION,
                        StatusLine.NONE),
                Arguments.of(
                        Status.PERMISSION_DENIED.withDescription("no verified SPIFFE client certificate"),
                        FailureSide.SERVER_REJECTION,
                        StatusLine.NONE),
                Arguments.of(Status.CANCELLED.withDescription("call cancelled"), FailureSide.CLIENT, StatusLine.NONE),
                Arguments.of(
                        Status.INTERNAL.withCause(new IllegalStateException("cannot parse the receipt")),
                        FailureSide.CLIENT,
                        "java.lang.IllegalStateException"));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void side_andTellingCause(Status status, FailureSide side, String cause) {
        StatusLine.RequestFailed failed = FailureClassifier.of("order-9", status.asRuntimeException());

        assertThat(failed.side()).isEqualTo(side);
        assertThat(failed.cause()).isEqualTo(cause);
        assertThat(failed.code()).isEqualTo(status.getCode().name());
        assertThat(failed.exception()).isEqualTo(StatusRuntimeException.class.getName());
        assertThat(failed.orderId()).isEqualTo("order-9");
    }

    @Test
    void theDescription_isTheStatusDescriptionThenTheCausesMessage() {
        Status status = Status.UNAVAILABLE
                .withDescription("io exception")
                .withCause(handshake("PKIX path validation failed", new CertificateException("orders refuses peer X")));

        assertThat(FailureClassifier.of("order-1", status.asRuntimeException()).description())
                .isEqualTo("io exception; orders refuses peer X");
    }

    @Test
    void aStatusWithoutDescription_saysSo() {
        assertThat(FailureClassifier.of("order-1", Status.CANCELLED.asRuntimeException())
                        .description())
                .isEqualTo("(no description)");
    }

    @Test
    void aWrongReceipt_isABadReceipt_withNoException() {
        StatusLine.RequestFailed failed = FailureClassifier.badReceipt("order-3", "receipt for order order-2");

        assertThat(failed)
                .isEqualTo(new StatusLine.RequestFailed(
                        "order-3",
                        FailureSide.BAD_RECEIPT,
                        "OK",
                        StatusLine.NONE,
                        StatusLine.NONE,
                        "receipt for order order-2"));
    }

    private static SSLHandshakeException handshake(String message, Throwable cause) {
        SSLHandshakeException e = new SSLHandshakeException(message);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
