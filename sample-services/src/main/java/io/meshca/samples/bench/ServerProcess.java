package io.meshca.samples.bench;

import io.meshca.server.api.admin.AdminClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * ca-server as its own process ({@code java -jar meshca-server.jar run -config ...}, as {@code ./meshca
 * server run} starts it), so that its resident memory and threads are the server's alone, not the
 * bench's clients' too. Memory keys, SQLite and the admin socket in a directory of the bench's.
 */
final class ServerProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path socket;
    private final Path log;

    private ServerProcess(Process process, int port, Path socket, Path log) {
        this.process = process;
        this.port = port;
        this.socket = socket;
        this.log = log;
    }

    /**
     * Starts the server and waits until its admin API answers.
     *
     * @param signingQueueSize the {@code signingQueueSize} config key, or 0 to leave the default
     */
    static ServerProcess start(Path serverJar, List<String> javaOptions, Path dir, int signingQueueSize)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(serverJar)) {
            throw new IllegalStateException("no server jar at " + serverJar + " (build with ./meshca build)");
        }
        int port = freePort();
        Path socket = dir.resolve("admin/api.sock");
        Path config = dir.resolve("server.yaml");
        Files.writeString(
                config,
                "dataDir: " + dir.resolve("server-data") + "\n"
                        + "bindAddress: 127.0.0.1\n"
                        + "serverPort: " + port + "\n"
                        + "socketPath: " + socket + "\n"
                        + "keyManager: memory\n"
                        + (signingQueueSize > 0 ? "signingQueueSize: " + signingQueueSize + "\n" : ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(javaOptions);
        command.addAll(List.of("-jar", serverJar.toString(), "run", "-config", config.toString()));
        Path log = dir.resolve("server.log");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ServerProcess server = new ServerProcess(p, port, socket, log);
        try {
            server.awaitAdmin(Duration.ofSeconds(60));
        } catch (IOException | RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** A port free a moment ago: the server binds it right after (the usual small race of benches). */
    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    private void awaitAdmin(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the server process did not start; its log: " + Files.readString(log));
            }
            if (Files.exists(socket)) {
                try (AdminClient admin = AdminClient.connect(socket)) {
                    admin.trustBundlePem();
                    return;
                } catch (RuntimeException e) {
                    // listening, not serving yet
                }
            }
            Thread.sleep(100);
        }
    }

    int port() {
        return port;
    }

    Path adminSocket() {
        return socket;
    }

    long pid() {
        return process.pid();
    }

    /** VmRSS of the server process in MB, from /proc/<pid>/status. */
    long residentMegabytes() throws IOException {
        return Math.round(status("VmRSS:") / 1024.0);
    }

    /** Live threads of the server process. */
    long threads() throws IOException {
        return status("Threads:");
    }

    private long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no " + field + " for pid " + process.pid());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
