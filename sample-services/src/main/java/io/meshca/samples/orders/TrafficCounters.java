package io.meshca.samples.orders;

import io.meshca.samples.status.StatusLine;
import java.util.concurrent.atomic.AtomicLong;

/** Requests that got a valid receipt, and requests that did not. */
public final class TrafficCounters {

    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    void succeeded() {
        ok.incrementAndGet();
    }

    void failed() {
        failed.incrementAndGet();
    }

    public StatusLine.Stats snapshot() {
        return new StatusLine.Stats(ok.get(), failed.get());
    }
}
