package io.meshca.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.samples.status.StatusLine;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DemoProgressTest {

    private static final Instant EXPIRY = Instant.parse("2026-11-23T13:00:00Z");
    private final DemoProgress progress = new DemoProgress();

    @Test
    void aRotation_isASerialChange_perService_afterTheFirstSvid() {
        svid(DemoRunner.ORDERS, "a1");
        svid(DemoRunner.PAYMENTS, "b1");
        svid(DemoRunner.ORDERS, "a1"); // same SVID printed again: not a rotation
        svid(DemoRunner.ORDERS, "a2");
        svid(DemoRunner.PAYMENTS, "b2");
        svid(DemoRunner.ORDERS, "a3");

        assertThat(progress.summary().rotations()).isEqualTo(3);
        assertThat(progress.serial(DemoRunner.ORDERS)).contains("a3");
    }

    @Test
    void requests_comeFromOrdersLatestCounters() {
        progress.accept(DemoRunner.ORDERS, new StatusLine.Stats(10, 0));
        progress.accept(DemoRunner.ORDERS, new StatusLine.Stats(30, 2));

        assertThat(progress.summary()).isEqualTo(new DemoSummary(32, 2, 0));
    }

    @Test
    void afterFreezing_linesFromTheShutdownAreIgnored() {
        progress.accept(DemoRunner.ORDERS, new StatusLine.Stats(100, 0));
        progress.freeze();
        progress.accept(DemoRunner.ORDERS, new StatusLine.Stats(101, 4));
        svid(DemoRunner.ORDERS, "a1");

        assertThat(progress.summary()).isEqualTo(new DemoSummary(100, 0, 0));
    }

    @Test
    void progressLine_showsCountersAndShortSerials() {
        progress.accept(DemoRunner.ORDERS, new StatusLine.Stats(100, 1));
        svid(DemoRunner.ORDERS, "0123456789abcdef");

        assertThat(progress.progressLine(Duration.ofSeconds(15)))
                .isEqualTo("[  15s] requests ok=100 failed=1 rotations=0 orders_svid=0123456789 payments_svid=-"
                        + " payments_saw_client=-");
    }

    private void svid(String service, String serial) {
        progress.accept(service, new StatusLine.Svid("spiffe://example.org/" + service, serial, EXPIRY));
    }
}
