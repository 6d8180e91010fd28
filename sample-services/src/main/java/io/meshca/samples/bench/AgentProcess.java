package io.meshca.samples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The agent as its own process ({@code java -jar meshca-agent.jar run ...}, as {@code ./meshca agent run}
 * starts it with the same JVM options), so that the figures are the shipped agent's: its CPU and resident memory are
 * its own, its JIT the one it runs with, and none of the bench's threads share its JVM.
 */
final class AgentProcess implements AutoCloseable {

    /** USER_HZ, which Linux fixes at 100 for /proc on every architecture meshca runs on. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private final Process process;
    private final Path socket;
    private final Path log;

    private AgentProcess(Process process, Path socket, Path log) {
        this.process = process;
        this.socket = socket;
        this.log = log;
    }

    static AgentProcess start(
            Path agentJar,
            List<String> javaOptions,
            int serverPort,
            Path bundle,
            String token,
            Path socket,
            Path dataDir,
            Path log)
            throws IOException {
        if (!Files.isRegularFile(agentJar)) {
            throw new IllegalStateException("no agent jar at " + agentJar + " (build with ./meshca build)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(javaOptions);
        command.addAll(List.of(
                "-jar",
                agentJar.toString(),
                "run",
                "-serverAddress",
                "127.0.0.1",
                "-serverPort",
                Integer.toString(serverPort),
                "-trustBundle",
                bundle.toString(),
                "-joinToken",
                token,
                "-socketPath",
                socket.toString(),
                "-dataDir",
                dataDir.toString()));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new AgentProcess(p, socket, log);
    }

    /** Waits until the agent has bound its socket; fails with the agent's log if it died or took too long. */
    void awaitSocket(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(socket)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the agent process did not open its socket; its log: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    long pid() {
        return process.pid();
    }

    /** User + system CPU time the agent has used so far, from /proc/<pid>/stat (clock-tick resolution: 10 ms). */
    long cpuMicros() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        // fields after the command name, which is in parentheses and may hold spaces
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 1_000_000L / CLOCK_TICKS_PER_SECOND;
    }

    /** VmRSS from /proc/<pid>/status, in kB. */
    long residentKilobytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for pid " + process.pid());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
