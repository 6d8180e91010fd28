package io.meshca.samples.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs a few command lines many times, round-robin, and keeps each one's wall times. A command that exits
 * non-zero stops the bench: a failing command has no meaningful time.
 */
final class CliRuns {

    /** A named command line and the environment changes it runs with. */
    record Command(String name, List<String> argv, Map<String, String> environment) {
        Command {
            Objects.requireNonNull(name, "name");
            argv = List.copyOf(argv);
            environment = Map.copyOf(environment);
        }

        static Command of(String name, List<String> argv) {
            return new Command(name, argv, Map.of());
        }

        Command withEnvironment(String key, String value) {
            Map<String, String> more = new HashMap<>(environment);
            more.put(key, value);
            return new Command(name, argv, more);
        }
    }

    /** One command's wall times. */
    record Result(String name, Latencies times) {
        String line() {
            return "cli: command=" + name + " p50_ms=" + Math.round(times.percentileMillis(50)) + " p95_ms="
                    + Math.round(times.percentileMillis(95));
        }
    }

    private final List<Command> commands;
    private final int runs;

    CliRuns(List<Command> commands, int runs) {
        this.commands = List.copyOf(commands);
        this.runs = runs;
    }

    /** One unmeasured round, then {@code runs} measured ones; results in the order of the commands. */
    List<Result> run() throws IOException, InterruptedException {
        for (Command command : commands) {
            time(command);
        }
        List<Latencies> times = new ArrayList<>();
        commands.forEach(c -> times.add(new Latencies()));
        for (int round = 0; round < runs; round++) {
            for (int i = 0; i < commands.size(); i++) {
                times.get(i).record(time(commands.get(i)));
            }
        }
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            results.add(new Result(commands.get(i).name(), Latencies.merge(List.of(times.get(i)))));
        }
        return results;
    }

    private static long time(Command command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command.argv())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(command.environment());
        long start = System.nanoTime();
        int exit = builder.start().waitFor();
        long elapsed = System.nanoTime() - start;
        if (exit != 0) {
            throw new IllegalStateException(
                    "`" + String.join(" ", command.argv()) + "` exited with " + exit + ": run it by hand to see why");
        }
        return elapsed;
    }
}
