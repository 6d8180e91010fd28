package io.meshca.samples.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class StatusLineTest {

    static Stream<StatusLine> lines() {
        return Stream.of(
                new StatusLine.Svid("spiffe://example.org/orders", "9f1c0ab3", Instant.parse("2026-11-23T13:00:20Z")),
                new StatusLine.Stats(1200, 3),
                new StatusLine.Listening(40123),
                new StatusLine.Peer("spiffe://example.org/orders", "ab"));
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

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "13:00:01.123 INFO OrdersTraffic - order-1 failed: UNAVAILABLE",
                "stats ok=1",
                "stats ok=x failed=0",
                "svid spiffe_id=a serial=b not_after=yesterday",
                "listening port=",
                "peer x y"
            })
    void anythingElse_isNotAStatusLine(String line) {
        assertThat(StatusLine.parse(line)).isEmpty();
    }
}
