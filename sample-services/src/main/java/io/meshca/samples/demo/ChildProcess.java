package io.meshca.samples.demo;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A process the demo started. Its stdout and stderr (merged) are copied line by line to a log file
 * and handed to a listener, so the runner can read status lines and still show the log on failure.
 */
final class ChildProcess {

    private final String name;
    private final Process process;
    private final Path log;
    private final Thread pump;

    private ChildProcess(String name, Process process, Path log, Thread pump) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.pump = pump;
    }

    /**
     * @param lines told each output line, on the child's output thread
     */
    static ChildProcess start(
            String name,
            List<String> command,
            Map<String, String> env,
            Path workDir,
            Path log,
            Consumer<String> lines) {
        Objects.requireNonNull(lines, "lines");
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
        Thread pump = new Thread(() -> copy(process, log, lines), name + "-output");
        pump.setDaemon(true);
        pump.start();
        return new ChildProcess(name, process, log, pump);
    }

    private static void copy(Process process, Path log, Consumer<String> lines) {
        try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
                lines.accept(line);
            }
        } catch (IOException e) {
            // the process is gone or the log's directory was deleted: nothing left to copy
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** Waits for the process to exit by itself; empty if it is still running after {@code timeout}. */
    Optional<Integer> waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return Optional.empty();
        }
        pump.join(TimeUnit.SECONDS.toMillis(2));
        return Optional.of(process.exitValue());
    }

    /** Asks the process to stop (SIGTERM), then kills it if it is still running after {@code grace}. */
    void stop(Duration grace) {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            pump.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code n} lines of the log (empty if there is none yet). */
    List<String> tail(int n) {
        Deque<String> last = new ArrayDeque<>(n);
        try (BufferedReader in = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (last.size() == n) {
                    last.removeFirst();
                }
                last.addLast(line);
            }
        } catch (IOException e) {
            return List.of();
        }
        return List.copyOf(last);
    }
}
