package io.meshca.agent.attestation.workload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Process start times: field 22 of {@code /proc/<pid>/stat}, in clock ticks since boot. A PID alone
 * can name different processes over time; a PID with its start time names one, because a process that
 * reuses the PID starts later.
 */
public final class ProcessStartTimes {

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
        return parse(Files.readString(stat, StandardCharsets.UTF_8), stat);
    }

    /**
     * The command name (field 2) is in parentheses and may itself contain spaces and parentheses, so
     * fields are counted from the last ')'.
     */
    static long parse(String stat, Path file) throws IOException {
        int end = stat.lastIndexOf(')');
        String[] fields = end < 0 ? new String[0] : stat.substring(end + 1).trim().split("\\s+");
        int index = 22 - 3; // fields[0] is field 3 (state)
        if (fields.length <= index) {
            throw new IOException("malformed " + file);
        }
        try {
            return Long.parseLong(fields[index]);
        } catch (NumberFormatException e) {
            throw new IOException("malformed " + file, e);
        }
    }
}
