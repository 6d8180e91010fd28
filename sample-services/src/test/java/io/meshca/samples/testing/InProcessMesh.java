package io.meshca.samples.testing;

import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A real ca-server (free loopback port, memory keys) and a real agent attested as {@code node} with a
 * join token, both in this JVM under {@code dir}: what the end-to-end tests of the samples stand on.
 */
public final class InProcessMesh implements AutoCloseable {

    private final TestServer server;
    private final RunningAgent agent;

    private InProcessMesh(TestServer server, RunningAgent agent) {
        this.server = server;
        this.agent = agent;
    }

    public static InProcessMesh start(Path dir, SpiffeId node) throws IOException {
        TestServer server = TestServer.start(dir);
        try {
            Path bundle = dir.resolve("bundle.pem");
            Files.writeString(bundle, server.trustBundlePem());
            RunningAgent agent = RunningAgent.start(AgentConfig.builder()
                    .serverAddress("127.0.0.1")
                    .serverPort(server.agentApiPort())
                    .socketPath(dir.resolve("agent/api.sock"))
                    .trustBundle(bundle)
                    .joinToken(server.generateJoinToken(Duration.ofMinutes(10), Optional.of(node)))
                    .dataDir(dir.resolve("agent-data"))
                    .build());
            return new InProcessMesh(server, agent);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** {@code unix:uid:<this process's uid>}: entries with it name this JVM (and anything else of its uid). */
    public static SelectorSet thisUid() throws IOException {
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        return SelectorSet.of(Selector.parse("unix:uid:" + uid));
    }

    public TestServer server() {
        return server;
    }

    public RunningAgent agent() {
        return agent;
    }

    @Override
    public void close() {
        try {
            agent.close();
        } finally {
            server.close();
        }
    }
}
