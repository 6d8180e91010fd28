package io.meshca.agent.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.error.ResourceExhaustedException;
import io.meshca.common.error.UnavailableException;
import java.net.ConnectException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** An unreachable server is one line naming the server and the cause in a few words. */
class ServerErrorsTest {

    private static final String SERVER = "127.0.0.1:8081";

    private static Throwable handshakeRefusing(Throwable certificateProblem) {
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path validation failed");
        handshake.initCause(certificateProblem);
        // as Netty wraps it on its way to gRPC
        return new RuntimeException("io.netty.handler.codec.DecoderException: " + handshake, handshake);
    }

    static Stream<Arguments> causes() {
        return Stream.of(
                Arguments.of(
                        Status.UNAVAILABLE
                                .withDescription("io exception")
                                .withCause(new ConnectException("Connection refused: /127.0.0.1:8081")),
                        "connection refused"),
                Arguments.of(
                        Status.UNAVAILABLE.withCause(handshakeRefusing(new CertificateException(
                                "peer certificate chain does not verify against the trust bundle",
                                new CertPathValidatorException("Path does not chain with any of the trust anchors")))),
                        "its certificate does not chain to the trust bundle"),
                Arguments.of(
                        Status.UNAVAILABLE.withCause(handshakeRefusing(
                                new CertificateException("peer SPIFFE ID spiffe://other.org/x is not authorized"))),
                        "its certificate was refused: peer SPIFFE ID spiffe://other.org/x is not authorized"),
                Arguments.of(
                        Status.UNAVAILABLE.withCause(
                                new SSLHandshakeException("Received fatal alert: bad_certificate")),
                        "TLS handshake failed: Received fatal alert: bad_certificate"),
                Arguments.of(
                        Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after 4.9s"),
                        "no answer before the call's deadline"),
                Arguments.of(
                        Status.UNAVAILABLE.withDescription("Network closed for unknown reason\nmore"),
                        "Network closed for unknown reason"),
                Arguments.of(Status.INTERNAL, "internal"));
    }

    @ParameterizedTest
    @MethodSource("causes")
    void unavailableServer_isNamed_withItsCauseInAFewWords(Status status, String cause) {
        MeshcaException error =
                ServerErrors.fromStatus("agent SVID renewal failed", SERVER, status.asRuntimeException());

        assertThat(error).isInstanceOf(UnavailableException.class);
        assertThat(error.getMessage())
                .isEqualTo("agent SVID renewal failed: ca-server 127.0.0.1:8081 unavailable (" + cause + ")");
        assertThat(error.getCause()).as("kept for a DEBUG stack trace").isNotNull();
    }

    @Test
    void refusal_keepsTheServersWords() {
        MeshcaException error = ServerErrors.fromStatus(
                "node attestation failed",
                SERVER,
                Status.PERMISSION_DENIED
                        .withDescription("join token already used")
                        .asRuntimeException());

        assertThat(error.getMessage()).isEqualTo("node attestation failed: join token already used");
    }

    @Test
    void busyServer_withRetryInfo_isResourceExhausted_withTheDelay() {
        var busy = GrpcErrors.toStatus(
                new ResourceExhaustedException("signing queue full: 5000 of 5000 CSRs queued", Duration.ofMillis(700)));

        MeshcaException e = ServerErrors.fromStatus("batch signing failed", SERVER, busy);

        assertThat(e)
                .isInstanceOfSatisfying(
                        ResourceExhaustedException.class,
                        r -> assertThat(r.retryAfter()).isEqualTo(Duration.ofMillis(700)));
        assertThat(e.getMessage())
                .isEqualTo("batch signing failed: ca-server 127.0.0.1:8081 busy (signing queue full: 5000 of 5000"
                        + " CSRs queued)");
    }

    @Test
    void resourceExhausted_withoutRetryInfo_isAnOrdinaryFailure() {
        MeshcaException e = ServerErrors.fromStatus(
                "batch signing failed",
                SERVER,
                Status.RESOURCE_EXHAUSTED.withDescription("message too large").asRuntimeException());

        assertThat(e).isInstanceOf(UnavailableException.class);
    }
}
