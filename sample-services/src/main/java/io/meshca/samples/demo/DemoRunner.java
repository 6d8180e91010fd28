package io.meshca.samples.demo;

import io.meshca.samples.orders.OrdersMain;
import io.meshca.samples.payments.PaymentsMain;
import io.meshca.samples.status.StatusLine;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The demo: in a temporary directory, a ca-server and an agent (from their jars), orders and payments
 * registered by uid + main class, traffic between them while the SVIDs rotate, then everything is
 * stopped and deleted. Traffic is timed from the moment orders is connected to payments; each failed
 * request is printed as it happens. The last line printed is {@link DemoSummary#line()}.
 */
public final class DemoRunner {

    static final String ORDERS = "orders";
    static final String PAYMENTS = "payments";
    static final String TRUST_DOMAIN = "example.org";
    static final String NODE_ID = "spiffe://example.org/node/demo";
    static final String ORDERS_ID = "spiffe://example.org/orders";
    static final String PAYMENTS_ID = "spiffe://example.org/payments";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int TAIL_LINES = 30;

    private final DemoOptions options;
    private final String java;
    private final MeshcaCommands commands;
    private final PrintStream out;
    private final Clock clock;
    private final DemoProgress progress = new DemoProgress();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final List<ChildProcess> children = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<Integer> paymentsPort = new CompletableFuture<>();
    private Path dir;
    private int cliRuns;
    private volatile ChildProcess lastFailedCli;

    public DemoRunner(DemoOptions options, String java, PrintStream out, Clock clock) {
        this.options = options;
        this.java = java;
        this.commands = new MeshcaCommands(java, options.home(), options.workloadClasspath());
        this.out = out;
        this.clock = clock;
    }

    /** Ends the traffic early (Ctrl-C, SIGTERM); {@link #run()} then cleans up and prints the summary. */
    public void requestStop() {
        progress.freeze();
        stopRequested.countDown();
    }

    /** Runs the demo to its end; returns the exit code (0 only if the run passed). */
    public int run() {
        Duration ran = Duration.ZERO;
        List<String> problems = new ArrayList<>();
        Set<ChildProcess> suspects = new LinkedHashSet<>();
        try {
            commands.requireJars();
            dir = Files.createTempDirectory("meshca-demo-");
            startMesh();
            Instant start = clock.instant();
            try {
                runTraffic(start);
            } finally {
                ran = Duration.between(start, clock.instant());
            }
        } catch (DemoFailure e) {
            if (stopRequested.getCount() == 0) {
                // Ctrl-C reaches the children too: what failed then is the interruption, not a step
                problems.add("stopped before traffic started");
            } else {
                problems.add(e.getMessage());
                suspects.addAll(e.suspects());
                if (lastFailedCli != null) {
                    suspects.add(lastFailedCli);
                }
            }
        } catch (IOException | RuntimeException e) {
            problems.add(String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            problems.add("interrupted");
            Thread.currentThread().interrupt();
        } finally {
            progress.freeze();
            stopAll();
        }
        DemoSummary summary = progress.summary();
        if (summary.failed() > 0) {
            suspects.addAll(byName(ORDERS, PAYMENTS));
        }
        problems.addAll(summary.problems(ran));
        for (ChildProcess child : suspects) {
            out.println(
                    "demo: last lines of " + child.name() + " (" + child.log().getFileName() + "):");
            child.tail(TAIL_LINES).forEach(line -> out.println("  | " + line));
        }
        deleteDir();
        problems.forEach(problem -> out.println("demo: FAILED: " + problem));
        out.println(summary.line());
        out.flush();
        return problems.isEmpty() ? 0 : 1;
    }

    /**
     * The demo's CA lives {@link #caTtl} (1 minute with the default SVID TTL), so the server rotates it on
     * SPIRE's schedule during the run — prepared at 30 s, active at 50 s — while traffic flows.
     */
    private Path writeServerConfig() throws IOException {
        Duration caTtl = caTtl(options.x509SvidTtl());
        String yaml = "caTtl: " + caTtl.toSeconds() + "s\n"
                + "defaultX509SvidTtl: " + options.x509SvidTtl().toSeconds() + "s\n"
                + "agentSvidTtl: " + caTtl.dividedBy(2).toSeconds() + "s\n"
                + "defaultJwtSvidTtl: " + caTtl.dividedBy(2).toSeconds() + "s\n";
        Path file = dir.resolve("server.yaml");
        Files.writeString(file, yaml, StandardCharsets.US_ASCII);
        say("CA TTL " + caTtl.toSeconds() + "s: the server rotates its CA during the run");
        return file;
    }

    /** Three SVID lifetimes, at least a minute (the server's minimum): SVIDs never outlive their CA. */
    static Duration caTtl(Duration x509SvidTtl) {
        Duration three = x509SvidTtl.multipliedBy(3);
        return three.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : three;
    }

    private void startMesh() throws IOException, DemoFailure, InterruptedException {
        Path adminSocket = dir.resolve("server/admin/api.sock");
        Path agentSocket = dir.resolve("agent/public/api.sock");
        int serverPort = freePort();
        say("working in " + dir);
        Path serverConfig = writeServerConfig();

        ChildProcess server = startChild(
                "ca-server",
                commands.server(
                        "run",
                        "-config",
                        serverConfig.toString(),
                        "-trustDomain",
                        TRUST_DOMAIN,
                        "-dataDir",
                        dir.resolve("server/data").toString(),
                        "-bindAddress",
                        "127.0.0.1",
                        "-serverPort",
                        Integer.toString(serverPort),
                        "-socketPath",
                        adminSocket.toString()),
                Map.of());
        awaitCondition("ca-server admin socket", server, () -> Files.exists(adminSocket));
        awaitCondition(
                "ca-server healthcheck",
                server,
                () -> cli("healthcheck", server, commands.server("healthcheck", "-socketPath", adminSocket.toString()))
                        .ok());
        say("ca-server up on 127.0.0.1:" + serverPort + " (pid " + server.pid() + ")");

        CliResult bundle =
                cli("bundle-show", server, commands.server("bundle", "show", "-socketPath", adminSocket.toString()));
        Path bundleFile = dir.resolve("bundle.pem");
        Files.writeString(
                bundleFile, String.join("\n", bundle.require("bundle show")) + "\n", StandardCharsets.US_ASCII);
        String token = JoinTokens.parse(cli(
                        "token-generate",
                        server,
                        commands.server(
                                "token", "generate", "-spiffeID", NODE_ID, "-socketPath", adminSocket.toString()))
                .require("token generate"));

        ChildProcess agent = startChild(
                "agent",
                commands.agent(
                        "run",
                        "-trustDomain",
                        TRUST_DOMAIN,
                        "-serverAddress",
                        "127.0.0.1",
                        "-serverPort",
                        Integer.toString(serverPort),
                        "-trustBundle",
                        bundleFile.toString(),
                        "-joinToken",
                        token,
                        "-socketPath",
                        agentSocket.toString(),
                        "-dataDir",
                        dir.resolve("agent/data").toString()),
                Map.of());
        awaitCondition("agent Workload API socket", agent, () -> Files.exists(agentSocket));
        awaitCondition(
                "agent healthcheck",
                agent,
                () -> cli(
                                "agent-healthcheck",
                                agent,
                                commands.agent("healthcheck", "-socketPath", agentSocket.toString()))
                        .ok());
        say("agent up, attested as " + NODE_ID + " (pid " + agent.pid() + ")");

        // Same user, same JVM binary: the main class tells orders from payments; the binary's real path
        // keeps a process that merely calls itself "java" in its argv from passing as either.
        String uid = "unix:uid:" + currentUid();
        String path = "unix:path:" + Path.of(java).toRealPath();
        String ttl = Long.toString(options.x509SvidTtl().toSeconds());
        for (String[] entry : List.of(
                new String[] {ORDERS_ID, OrdersMain.class.getName()},
                new String[] {PAYMENTS_ID, PaymentsMain.class.getName()})) {
            String main = "unix:java-main:" + entry[1];
            cli(
                            "entry-create",
                            server,
                            commands.server(
                                    "entry",
                                    "create",
                                    "-parentID",
                                    NODE_ID,
                                    "-spiffeID",
                                    entry[0],
                                    "-selector",
                                    uid,
                                    "-selector",
                                    path,
                                    "-selector",
                                    main,
                                    "-x509SVIDTTL",
                                    ttl,
                                    "-socketPath",
                                    adminSocket.toString()))
                    .require("entry create " + entry[0]);
            say("registered " + entry[0] + " <- " + uid + " + " + main + " + " + path + " (X509-SVID TTL " + ttl
                    + "s)");
        }

        Map<String, String> env = Map.of("SPIFFE_ENDPOINT_SOCKET", "unix://" + agentSocket);
        Instant paymentsStarted = clock.instant();
        ChildProcess payments = startChild(
                PAYMENTS,
                commands.workload(PaymentsMain.class.getName(), "-port", "0", "-allowedClientID", ORDERS_ID),
                env);
        awaitCondition(
                "payments SVID and listening port",
                payments,
                () -> paymentsPort.isDone() && progress.serial(PAYMENTS).isPresent());
        Duration paymentsUp = Duration.between(paymentsStarted, clock.instant());
        say("payments up on 127.0.0.1:" + paymentsPort.join() + " as " + PAYMENTS_ID + " (pid " + payments.pid() + ")");

        Instant ordersStarted = clock.instant();
        ChildProcess orders = startChild(
                ORDERS,
                commands.workload(
                        OrdersMain.class.getName(),
                        "-paymentsAddress",
                        "127.0.0.1:" + paymentsPort.join(),
                        "-paymentsID",
                        PAYMENTS_ID,
                        "-rate",
                        Double.toString(options.rate())),
                env);
        awaitCondition("orders SVID", orders, () -> progress.serial(ORDERS).isPresent());
        Duration ordersSvid = Duration.between(ordersStarted, clock.instant());
        say("orders up as " + ORDERS_ID + " (pid " + orders.pid() + "), connecting to payments");

        // orders sends its first request only once connected: start-up is not counted as failed requests,
        // and what it cost is printed rather than hidden (two cold JVMs' first handshake, under load, takes
        // seconds)
        awaitCondition(
                "orders connected to payments",
                orders,
                () -> progress.connected(ORDERS).isPresent());
        StartupTimes startup = new StartupTimes(
                Duration.between(paymentsStarted, clock.instant()),
                paymentsUp,
                ordersSvid,
                progress.connected(ORDERS).orElseThrow());
        say(startup.line() + "; calling payments " + options.rate() + "/s for "
                + options.duration().toSeconds() + "s");
    }

    private void runTraffic(Instant start) throws DemoFailure, InterruptedException {
        Instant end = start.plus(options.duration());
        Instant nextReport = start.plus(options.reportEvery());
        DemoProgress.LEGEND.forEach(this::say);
        while (clock.instant().isBefore(end)) {
            long waitMillis = Math.max(
                    1,
                    Math.min(
                            POLL.toMillis(),
                            Duration.between(clock.instant(), end).toMillis()));
            if (stopRequested.await(waitMillis, TimeUnit.MILLISECONDS)) {
                say("stop requested");
                return;
            }
            for (ChildProcess child : List.copyOf(children)) {
                if (!child.isAlive() && !stopRequested.await(1, TimeUnit.SECONDS)) {
                    throw new DemoFailure(child.name() + " exited unexpectedly", child);
                }
            }
            if (!clock.instant().isBefore(nextReport)) {
                out.println(progress.progressLine(Duration.between(start, clock.instant())));
                nextReport = nextReport.plus(options.reportEvery());
            }
        }
    }

    private ChildProcess startChild(String name, List<String> command, Map<String, String> env) {
        ChildProcess child = ChildProcess.start(
                name,
                command,
                env,
                dir,
                dir.resolve(name + ".log"),
                line -> StatusLine.parse(line).ifPresent(status -> {
                    if (status instanceof StatusLine.Listening listening) {
                        paymentsPort.complete(listening.port());
                    }
                    if (progress.accept(name, status)) {
                        Announcements.of(name, status).ifPresent(this::say);
                    }
                }));
        children.add(child);
        return child;
    }

    /** Runs a one-shot CLI command to completion; its output goes to its own log file. */
    private CliResult cli(String name, ChildProcess server, List<String> command) {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        ChildProcess child = ChildProcess.start(
                name, command, Map.of(), dir, dir.resolve("cli-" + (++cliRuns) + "-" + name + ".log"), lines::add);
        try {
            Integer code = child.waitFor(CLI_TIMEOUT).orElse(null);
            if (code == null) {
                child.stop(STOP_GRACE);
            }
            lastFailedCli = code != null && code == 0 ? null : child;
            return new CliResult(name, code == null ? -1 : code, List.copyOf(lines), child);
        } catch (InterruptedException e) {
            child.stop(STOP_GRACE);
            Thread.currentThread().interrupt();
            return new CliResult(name, -1, List.copyOf(lines), child);
        }
    }

    private void awaitCondition(String what, ChildProcess watched, BooleanSupplier condition)
            throws DemoFailure, InterruptedException {
        Instant deadline = clock.instant().plus(STARTUP_TIMEOUT);
        while (!condition.getAsBoolean()) {
            if (!watched.isAlive()) {
                throw new DemoFailure(watched.name() + " exited while waiting for " + what, watched);
            }
            if (clock.instant().isAfter(deadline)) {
                throw new DemoFailure("no " + what + " after " + STARTUP_TIMEOUT.toSeconds() + "s", watched);
            }
            if (stopRequested.await(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new DemoFailure("stopped while waiting for " + what);
            }
        }
    }

    /** Stops in reverse start order, so that a client never outlives the server it calls by accident. */
    private void stopAll() {
        List<ChildProcess> reversed = new ArrayList<>(children);
        Collections.reverse(reversed);
        for (ChildProcess child : reversed) {
            child.stop(STOP_GRACE);
        }
    }

    private List<ChildProcess> byName(String... names) {
        List<String> wanted = List.of(names);
        return children.stream().filter(c -> wanted.contains(c.name())).toList();
    }

    private void deleteDir() {
        if (dir != null) {
            try {
                TempDirs.deleteRecursively(dir);
            } catch (UncheckedIOException e) {
                out.println("demo: could not delete " + dir + ": " + e.getMessage());
            }
        }
    }

    private void say(String message) {
        out.println("demo: " + message);
        out.flush();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static long currentUid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    /** A finished one-shot command. */
    private record CliResult(String name, int exitCode, List<String> output, ChildProcess process) {
        boolean ok() {
            return exitCode == 0;
        }

        List<String> require(String what) throws DemoFailure {
            if (!ok()) {
                throw new DemoFailure(what + " failed with exit code " + exitCode, process);
            }
            return output;
        }
    }
}
