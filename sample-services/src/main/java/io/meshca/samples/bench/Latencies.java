package io.meshca.samples.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Latency samples in nanoseconds, one recorder per thread (no sharing while measuring), merged once
 * at the end. Percentiles are nearest-rank over every sample: no histogram buckets, no estimation.
 */
final class Latencies {

    private long[] samples = new long[4096];
    private int size;

    void record(long nanos) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = nanos;
    }

    int count() {
        return size;
    }

    static Latencies merge(Iterable<Latencies> parts) {
        Latencies all = new Latencies();
        for (Latencies p : parts) {
            for (int i = 0; i < p.size; i++) {
                all.record(p.samples[i]);
            }
        }
        Arrays.sort(all.samples, 0, all.size);
        return all;
    }

    /** The p-th percentile (0 < p <= 100) in milliseconds, nearest rank; 0 when there is no sample. Call on a merged set. */
    double percentileMillis(double p) {
        if (size == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * size);
        return samples[Math.max(0, Math.min(size, rank) - 1)] / 1e6;
    }

    /** Milliseconds with two decimals, the way the bench lines print them. */
    static String ms(double millis) {
        return String.format(Locale.ROOT, "%.2f", millis);
    }
}
