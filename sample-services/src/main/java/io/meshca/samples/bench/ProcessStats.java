package io.meshca.samples.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** This process's CPU time, threads, memory, GC and JIT time, for the bench lines that explain a figure. */
final class ProcessStats {

    /** The counters that tell where a measured window's time went, read at once. */
    record Snapshot(long cpuNanos, long gcMillis, long gcCount, long jitMillis) {
        static Snapshot now() {
            long gcMillis = 0;
            long gcCount = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                gcMillis += Math.max(0, gc.getCollectionTime());
                gcCount += Math.max(0, gc.getCollectionCount());
            }
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            long jitMillis =
                    jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
            return new Snapshot(ProcessStats.cpuNanos(), gcMillis, gcCount, jitMillis);
        }

        /**
         * What happened since {@code before}: CPU time of the process, time in GC (pauses and, for the
         * concurrent collectors, their cycles, as the JVM's collector beans count it), and JIT compiler time.
         */
        String since(Snapshot before) {
            return String.format(
                    Locale.ROOT,
                    "cpu %.2f s, gc %d ms in %d collections, jit %d ms",
                    (cpuNanos - before.cpuNanos) / 1e9,
                    gcMillis - before.gcMillis,
                    gcCount - before.gcCount,
                    jitMillis - before.jitMillis);
        }
    }

    private ProcessStats() {}

    /** User + system CPU time of this process so far; -1 where the JVM cannot tell (not a HotSpot/OpenJDK bean). */
    static long cpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    /** The heap the JVM started with and its maximum, e.g. {@code heap 2048-2048 MB}: the bench figures depend on it. */
    static String heap() {
        long init = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit();
        return "heap " + init / (1024 * 1024) + "-" + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB";
    }

    /** Live threads of this JVM. */
    static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /**
     * A memory line of /proc/{@code pid}/status in kB, e.g. {@code VmHWM:} (the most it has had resident).
     *
     * @throws IOException if the process is gone or the line is missing
     */
    static long statusKilobytes(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no " + field + " for pid " + pid);
    }

    /** VmRSS of this process in MB, from /proc/self/status; -1 where there is no /proc. */
    static long residentMegabytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0);
                }
            }
        } catch (IOException e) {
            // not Linux: the figure is left out
        }
        return -1;
    }
}
