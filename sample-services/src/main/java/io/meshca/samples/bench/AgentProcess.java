package io.meshca.samples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The agent as its own process ({@code java -jar meshca-agent.jar run ...}, as {@code ./meshca agent run}
 * starts it), so that its resident memory is its own and not the bench's.
 */
final class AgentProcess implements AutoCloseable {

    private final Process process;

    private AgentProcess(Process process) {
        this.process = process;
    }

    static AgentProcess start(Path agentJar, List<String> javaOptions, int serverPort, Path bundle, String token, Path socket,
            Path dataDir, Path log) throws IOException {
        if (!Files.isRegularFile(agentJar)) {
            throw new IllegalStateException("no agent jar at " + agentJar + " (build with ./meshca build)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>();
        command.add(java);
        command.addAll(javaOptions);
        command.addAll(List.of("-jar", agentJar.toString(), "run",
                "-serverAddress", "127.0.0.1", "-serverPort", Integer.toString(serverPort),
                "-trustBundle", bundle.toString(), "-joinToken", token,
                "-socketPath", socket.toString(), "-dataDir", dataDir.toString()));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new AgentProcess(p);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
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
