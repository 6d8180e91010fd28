package io.meshca.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StartupTimesTest {

    @Test
    void theReadinessLine_saysWhereTheStartUpWent_inSecondsWithTwoDecimals() {
        StartupTimes times = new StartupTimes(
                Duration.ofMillis(13_550),
                Duration.ofMillis(5_130),
                Duration.ofMillis(4_020),
                Duration.ofMillis(3_600));

        assertThat(times.line())
                .isEqualTo("ready in 13.55s: payments listening with its SVID after 5.13s, orders' SVID after 4.02s,"
                        + " orders connected to payments in 3.60s");
    }
}
