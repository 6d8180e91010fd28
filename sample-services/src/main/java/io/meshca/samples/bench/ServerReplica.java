package io.meshca.samples.bench;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.server.api.admin.AdminClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One ca-server replica as its own process, started as {@code ./meshca server run -config <file>} starts
 * it, with a config of its own (data dir, admin socket, agent API port) and the shared database. It can
 * be stopped (SIGTERM, as an operator stops it) and started again on the same files and port, which is
 * how the bench times a cold start. Its resident memory is read from /proc, so it is the server's own.
 */
final class ServerReplica implements AutoCloseable {

    static final String TRUST_DOMAIN = "example.org";

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration HEALTH_POLL = Duration.ofMillis(20);
    private static final int LOG_TAIL_LINES = 30;

    private final String name;
    private final List<String> launch;
    private final Path config;
    private final Path socket;
    private final Path log;
    private final int port;
    private Process process;
    private long peakKilobytes;
    private AdminClient admin;

    private ServerReplica(String name, List<String> launch, Path config, Path socket, Path log, int port) {
        this.name = name;
        this.launch = launch;
        this.config = config;
        this.socket = socket;
        this.log = log;
        this.port = port;
    }

    /**
     * Writes the replica's config under {@code dir} (a free loopback port, the disk key manager so that a
     * restart keeps its CA); the process starts with {@link #start}.
     *
     * @param launch the command that runs the server's CLI, e.g. {@code java -jar meshca-server.jar}
     */
    static ServerReplica configure(String name, List<String> launch, Path dir, String databaseUrl) throws IOException {
        // private, as the server wants the directory of its admin socket
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        int port = freePort();
        Path socket = dir.resolve("admin.sock");
        Path config = dir.resolve("server.yaml");
        // the URL may carry a password: the file is private to this user, as the bench's temp dir is
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "trustDomain: " + TRUST_DOMAIN,
                        "dataDir: " + quoted(dir.resolve("data").toString()),
                        "bindAddress: 127.0.0.1",
                        "serverPort: " + port,
                        "socketPath: " + quoted(socket.toString()),
                        "keyManager: disk",
                        "databaseUrl: " + quoted(databaseUrl),
                        ""));
        return new ServerReplica(name, List.copyOf(launch), config, socket, dir.resolve("server.log"), port);
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** The replica's admin API; valid across restarts (it reconnects to the same socket). */
    synchronized AdminClient admin() {
        if (admin == null) {
            admin = AdminClient.connect(socket);
        }
        return admin;
    }

    /**
     * Starts the process; returns {@link System#nanoTime} taken just before, the start of a cold start.
     * Its output is appended to {@code server.log} beside its config.
     */
    synchronized long start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("replica " + name + " is running already");
        }
        List<String> command = new ArrayList<>(launch);
        command.addAll(List.of("run", "-config", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        long started = System.nanoTime();
        process = builder.start();
        return started;
    }

    /**
     * Waits until the server's health service answers SERVING on its admin socket (what
     * {@code server healthcheck -wait} waits for).
     *
     * @throws IllegalStateException with the tail of the server's log if it exits or takes longer than {@code timeout}
     */
    void awaitServing(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ManagedChannel channel = UnixSockets.channel(socket);
        try {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("replica " + name + " exited with " + process.exitValue()
                            + "; the end of its log (" + log + "):\n" + logTail());
                }
                if (serving(channel)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("replica " + name + " was not serving after " + timeout.toSeconds()
                            + " s; the end of its log (" + log + "):\n" + logTail());
                }
                Thread.sleep(HEALTH_POLL.toMillis());
            }
        } finally {
            UnixSockets.shutdown(channel);
        }
    }

    private boolean serving(ManagedChannel channel) {
        if (!Files.exists(socket)) {
            return false;
        }
        try {
            return HealthGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(1, TimeUnit.SECONDS)
                            .check(HealthCheckRequest.getDefaultInstance())
                            .getStatus()
                    == ServingStatus.SERVING;
        } catch (StatusRuntimeException e) {
            // not listening yet: try again at the next poll rather than after gRPC's reconnect backoff
            channel.resetConnectBackoff();
            return false;
        }
    }

    /**
     * The most memory the process has had resident so far (VmHWM), in kB, over every run of this replica:
     * read before each stop, so a restart does not forget the run before it.
     */
    synchronized long peakResidentKilobytes() throws IOException {
        if (process != null && process.isAlive()) {
            peakKilobytes = Math.max(peakKilobytes, ProcessStats.statusKilobytes(process.pid(), "VmHWM:"));
        }
        return peakKilobytes;
    }

    /** SIGTERM, as an operator stops the server, and waits for it to exit (SIGKILL past a timeout). */
    synchronized void stop() throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        peakResidentKilobytes();
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private String logTail() throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    }

    /** Stops the process without waiting for a graceful end beyond the stop timeout; idempotent. */
    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
        try {
            stop();
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String quoted(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
