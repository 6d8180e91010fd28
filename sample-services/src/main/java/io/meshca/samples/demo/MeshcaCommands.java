package io.meshca.samples.demo;

import io.meshca.samples.JvmOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The command lines of the programs the demo starts, in one place: ca-server and the agent from their
 * jars (exactly as an operator runs them), orders and payments each under its own main class.
 */
final class MeshcaCommands {

    static final String SERVER_JAR = "ca-server/target/meshca-server.jar";
    static final String AGENT_JAR = "workload-api/target/meshca-agent.jar";

    private final String java;
    private final Path serverJar;
    private final Path agentJar;
    private final List<String> agentJvmOptions;
    private final String workloadClasspath;

    MeshcaCommands(String java, Path home, String workloadClasspath) {
        this.java = Objects.requireNonNull(java, "java");
        this.serverJar = home.resolve(SERVER_JAR).toAbsolutePath().normalize();
        this.agentJar = home.resolve(AGENT_JAR).toAbsolutePath().normalize();
        this.agentJvmOptions = JvmOptions.of(JvmOptions.Process.AGENT, home);
        this.workloadClasspath = Objects.requireNonNull(workloadClasspath, "workloadClasspath");
    }

    /** Throws with the path and the way to build it if a jar is missing. */
    void requireJars() {
        for (Path jar : List.of(serverJar, agentJar)) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(
                        jar + " not found: build it with `./mvnw -DskipTests package` "
                                + "(or run the demo through ./meshca, which builds what is missing), or point -home at the repo root");
            }
        }
    }

    /** {@code java -jar meshca-server.jar <args>}. */
    List<String> server(String... args) {
        return jar(serverJar, args);
    }

    /** {@code java <workload-api/jvm.options> -jar meshca-agent.jar <args>}, as {@code ./meshca agent} runs it. */
    List<String> agent(String... args) {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(agentJvmOptions);
        command.addAll(List.of("-jar", agentJar.toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code java -cp <samples> <mainClass> <args>}: the main class is what tells the workloads apart. */
    List<String> workload(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(java, "-cp", workloadClasspath, mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private List<String> jar(Path jar, String... args) {
        List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString()));
        command.addAll(List.of(args));
        return command;
    }
}
