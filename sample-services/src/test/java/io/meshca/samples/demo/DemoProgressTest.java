package io.meshca.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.samples.identity.SvidInfo;
import io.meshca.samples.status.StatusLine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
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
    void legend_explainsEveryFieldOfTheProgressLine() {
        String line = progress.progressLine(Duration.ofSeconds(5));
        String legend = String.join("\n", DemoProgress.LEGEND);

        List<String> fields = Pattern.compile("(\\w+)=")
                .matcher(line)
                .results()
                .map(match -> match.group(1))
                .toList();

        assertThat(fields).hasSize(9);
        assertThat(fields).allSatisfy(field -> assertThat(legend).containsPattern("\\b" + field + "\\b"));
        assertThat(legend).contains("serial number").contains("SHA-256 fingerprint");
    }

    @Test
    void requests_comeFromOrdersLatestCounters() {
        progress.accept(DemoRunner.ORDERS, new StatusLine.Stats(10, 0));
        progress.accept(DemoRunner.ORDERS, new StatusLine.Stats(30, 2));

        assertThat(progress.summary()).isEqualTo(new DemoSummary(32, 2, 0, 0));
    }

    @Test
    void aCaRotation_isEachFurtherIssuer_acrossBothServices() {
        svid(DemoRunner.ORDERS, "a1", "ca1");
        svid(DemoRunner.PAYMENTS, "b1", "ca1");
        svid(DemoRunner.ORDERS, "a2", "ca1");
        assertThat(progress.summary().caRotations()).isZero();

        // the server's CA rotated: whichever service renews first shows it, the other adds nothing new
        svid(DemoRunner.PAYMENTS, "b2", "ca2");
        svid(DemoRunner.ORDERS, "a3", "ca2");
        assertThat(progress.summary().caRotations()).isEqualTo(1);

        svid(DemoRunner.ORDERS, "a4", "ca3");
        assertThat(progress.summary()).isEqualTo(new DemoSummary(0, 0, 4, 2));
    }

    @Test
    void anSvidWhoseIssuerIsUnknown_isNoCaRotation() {
        svid(DemoRunner.ORDERS, "a1", "ca1");
        svid(DemoRunner.ORDERS, "a2", SvidInfo.UNKNOWN_ISSUER);

        assertThat(progress.summary().caRotations()).isZero();
        assertThat(progress.summary().rotations()).isEqualTo(1);
    }

    @Test
    void ordersIsConnected_onceItSaysItIsReady() {
        assertThat(progress.connected(DemoRunner.ORDERS)).isEmpty();

        assertThat(progress.accept(DemoRunner.ORDERS, new StatusLine.Ready(4270)))
                .isTrue();

        assertThat(progress.connected(DemoRunner.ORDERS)).contains(Duration.ofMillis(4270));
        assertThat(progress.connected(DemoRunner.PAYMENTS)).isEmpty();
    }

    @Test
    void afterFreezing_linesFromTheShutdownAreIgnored() {
        progress.accept(DemoRunner.ORDERS, new StatusLine.Stats(100, 0));
        progress.freeze();
        boolean taken = progress.accept(DemoRunner.ORDERS, new StatusLine.Stats(101, 4));
        svid(DemoRunner.ORDERS, "a1");

        assertThat(taken).isFalse();
        assertThat(progress.summary()).isEqualTo(new DemoSummary(100, 0, 0, 0));
    }

    @Test
    void progressLine_showsCountersAndShortSerials() {
        progress.accept(DemoRunner.ORDERS, new StatusLine.Stats(100, 1));
        svid(DemoRunner.ORDERS, "0123456789abcdef", "3f0a11c2d4e5f60718293a4b5c6d7e8f");

        assertThat(progress.progressLine(Duration.ofSeconds(15)))
                .isEqualTo("[  15s] requests ok=100 failed=1 rotations=0 ca_rotations=0 orders_svid=0123456789"
                        + " payments_svid=- payments_saw_client=- orders_ca=3f0a11c2d4 payments_ca=-");
    }

    private void svid(String service, String serial) {
        svid(service, serial, "ca1");
    }

    private void svid(String service, String serial, String issuer) {
        progress.accept(service, new StatusLine.Svid("spiffe://example.org/" + service, serial, EXPIRY, issuer));
    }
}
