package io.meshca.samples.status;

import java.io.PrintStream;
import java.util.Objects;

/** Prints status lines whole, one at a time, flushed at once so that a reader sees them promptly. */
public final class StatusOut {

    private final PrintStream out;

    public StatusOut(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    public static StatusOut stdout() {
        return new StatusOut(System.out);
    }

    public synchronized void print(StatusLine line) {
        out.println(line.format());
        out.flush();
    }
}
