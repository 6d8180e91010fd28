package io.meshca.samples.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class StatusLineTest {

    static Stream<StatusLine> lines() {
        return Stream.of(
                new StatusLine.Svid(
                        "spiffe://example.org/orders", "9f1c0ab3", Instant.parse("2026-11-23T13:00:20Z"), "3f0a"),
                new StatusLine.Stats(1200, 3),
                new StatusLine.Listening(40123),
                new StatusLine.Peer("spiffe://example.org/orders", "ab"),
                new StatusLine.Ready(4270),
                new StatusLine.RequestFailed(
                        "order-1",
                        FailureSide.DEADLINE,
                        "DEADLINE_EXCEEDED",
                        "io.grpc.StatusRuntimeException",
                        StatusLine.NONE,
                        "CallOptions deadline exceeded after 4.27s. [closed=[], open=[[connecting_and_lb_delay=4.29s,"
                                + " was_still_waiting]]]"),
                new StatusLine.RequestFailed(
                        "order-2", FailureSide.BAD_RECEIPT, "OK", StatusLine.NONE, StatusLine.NONE, ""),
                new StatusLine.Refused("spiffe://example.org/intruder: payments refuses peer"
                        + " spiffe://example.org/intruder: only spiffe://example.org/orders may connect"),
                // the free text may even repeat its own key
                new StatusLine.Refused("x description=y"));
    }

    @ParameterizedTest
    @MethodSource("lines")
    void everyLine_parsesBackToItself(StatusLine line) {
        assertThat(StatusLine.parse(line.format())).contains(line);
    }

    @Test
    void statsLine_isReadableByHumans() {
        assertThat(new StatusLine.Stats(5, 0).format()).isEqualTo("stats ok=5 failed=0");
    }

    @Test
    void failedLine_isReadableByHumans_withTheDescriptionLast() {
        StatusLine.RequestFailed failed = new StatusLine.RequestFailed(
                "order-7",
                FailureSide.CLIENT_TLS,
                "UNAVAILABLE",
                "io.grpc.StatusRuntimeException",
                "java.security.cert.CertificateException",
                "io exception; orders refuses peer spiffe://example.org/impostor");

        assertThat(failed.format())
                .isEqualTo(
                        "failed order=order-7 side=client-tls code=UNAVAILABLE exception=io.grpc.StatusRuntimeException"
                                + " cause=java.security.cert.CertificateException description=io exception; orders refuses"
                                + " peer spiffe://example.org/impostor");
    }

    @Test
    void aDescription_isOnePrintableLine_cutShort_andStillParsesBackToItself() {
        StatusLine.Refused refused = new StatusLine.Refused("forged\nfailed order=x\u001b[2J\r\n" + "a".repeat(400));

        assertThat(refused.description())
                .startsWith("forged failed order=x?[2J a")
                .endsWith("...")
                .hasSize(StatusLine.MAX_DESCRIPTION_CHARS + 3);
        assertThat(refused.format()).doesNotContain("\n");
        assertThat(StatusLine.parse(refused.format())).contains(refused);
    }

    @Test
    void aFieldWithASpace_isRejected() {
        assertThatThrownBy(() -> new StatusLine.RequestFailed(
                        "order 1", FailureSide.CLIENT, "CANCELLED", "x.Y", StatusLine.NONE, "d"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("orderId must be one word, got 'order 1'");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "13:00:01.123 INFO OrdersTraffic - order-1 failed: UNAVAILABLE",
                "stats ok=1",
                "stats ok=x failed=0",
                "svid spiffe_id=a serial=b not_after=yesterday",
                "listening port=",
                "peer x y",
                "svid spiffe_id=a serial=b not_after=2026-11-23T13:00:20Z",
                "ready connect_ms=-1",
                "failed order=o side=sideways code=OK exception=- cause=- description=d",
                "failed order=o side=deadline code=OK exception=- cause=-",
                "refused"
            })
    void anythingElse_isNotAStatusLine(String line) {
        assertThat(StatusLine.parse(line)).isEmpty();
    }
}
