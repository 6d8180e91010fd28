package io.meshca.agent.attestation.workload;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Process start times: field 22 of {@code /proc/<pid>/stat}, in clock ticks since boot. A PID alone
 * can name different processes over time; a PID with its start time names one, because a process that
 * reuses the PID starts later.
 */
public final class ProcessStartTimes {

    private static final int START_TIME_FIELD = 22;

    private final Path procRoot;

    public ProcessStartTimes(Path procRoot) {
        this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
    }

    public static ProcessStartTimes system() {
        return new ProcessStartTimes(Path.of("/proc"));
    }

    /**
     * The start time of the process that {@code pid} names now.
     *
     * @throws IOException if there is no such process (or its stat file is malformed)
     */
    public long of(int pid) throws IOException {
        Path stat = procRoot.resolve(Integer.toString(pid)).resolve("stat");
        return parse(ProcFiles.read(stat), stat);
    }

    /**
     * True if {@code pid} still names the process that started at {@code startTime}: start times only
     * grow, so an equal one is the same process. A PID that names no process is not it.
     */
    public boolean isStill(int pid, long startTime) {
        try {
            return of(pid) == startTime;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The command name (field 2) is in parentheses and may itself contain spaces and parentheses, so
     * fields are counted from the last ')'. Scanned as bytes (no decoding, no regex): this runs on
     * every connection and every call.
     */
    static long parse(byte[] stat, Path file) throws IOException {
        int i = stat.length - 1;
        while (i >= 0 && stat[i] != ')') {
            i--;
        }
        if (i < 0) {
            throw new IOException("malformed " + file);
        }
        i++;
        for (int field = 3; ; field++) {
            while (i < stat.length && isBlank(stat[i])) {
                i++;
            }
            if (i == stat.length) {
                throw new IOException("malformed " + file);
            }
            if (field == START_TIME_FIELD) {
                return number(stat, i, file);
            }
            while (i < stat.length && !isBlank(stat[i])) {
                i++;
            }
        }
    }

    private static long number(byte[] stat, int from, Path file) throws IOException {
        long value = 0;
        int i = from;
        for (; i < stat.length && !isBlank(stat[i]); i++) {
            int digit = stat[i] - '0';
            if (digit < 0 || digit > 9 || i - from >= 18) {
                throw new IOException("malformed " + file);
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\n';
    }
}
