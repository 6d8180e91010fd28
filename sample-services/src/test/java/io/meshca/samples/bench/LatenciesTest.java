package io.meshca.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void percentiles_areNearestRankOverAllThreadsSamples() {
        Latencies a = new Latencies();
        Latencies b = new Latencies();
        for (int i = 1; i <= 50; i++) {
            a.record(i * 1_000_000L); // 1..50 ms
            b.record((50 + i) * 1_000_000L); // 51..100 ms
        }

        Latencies all = Latencies.merge(List.of(b, a));

        assertThat(all.count()).isEqualTo(100);
        assertThat(all.percentileMillis(50)).isEqualTo(50.0);
        assertThat(all.percentileMillis(99)).isEqualTo(99.0);
        assertThat(all.percentileMillis(100)).isEqualTo(100.0);
    }

    @Test
    void noSamples_isZero_andMillisPrintWithTwoDecimals() {
        assertThat(Latencies.merge(List.of()).percentileMillis(99)).isZero();
        assertThat(Latencies.ms(1.5)).isEqualTo("1.50");
        assertThat(Latencies.ms(1234.567)).isEqualTo("1234.57");
    }
}
