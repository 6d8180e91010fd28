package io.meshca.samples.bench;

import io.meshca.agent.AgentEvents;
import io.meshca.agent.NodeAgent;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.rotation.IssuedBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Node agents in this process: the real {@link NodeAgent}, one per join token, each with its own data
 * directory, Workload API socket, connection to the server, cache and rotators. What they issue reaches
 * the bench only as {@link AgentEvents#workloadSvidsIssued} events, forwarded to whichever listener the
 * bench has set for the phase it is in.
 */
final class AgentFleet implements AutoCloseable {

    /** Agents attest in parallel: each start is a TLS handshake and a round trip, then local set-up. */
    private static final int STARTERS = 4;

    /** How the bench reaches the server. */
    record Server(int port, Path trustBundle) {}

    /** One agent to start: its join token and where it keeps its files. */
    record Member(String joinToken, Path socket, Path dataDir) {}

    private final List<NodeAgent> agents = new ArrayList<>();
    private volatile Consumer<IssuedBatch> onIssued = batch -> {};

    private final AgentEvents events = new AgentEvents() {
        @Override
        public void workloadSvidsIssued(IssuedBatch batch) {
            onIssued.accept(batch);
        }
    };

    /** From now on, every batch any agent issues goes to {@code listener} (on that agent's rotation thread). */
    void onIssued(Consumer<IssuedBatch> listener) {
        onIssued = Objects.requireNonNull(listener, "listener");
    }

    /** Starts every member; on a failure, stops those started and throws the first failure. */
    void start(Server server, List<Member> members) throws InterruptedException {
        ExecutorService starters = Executors.newFixedThreadPool(STARTERS);
        try {
            List<Future<NodeAgent>> started = new ArrayList<>(members.size());
            for (Member member : members) {
                started.add(starters.submit(() -> NodeAgent.start(config(server, member), events)));
            }
            RuntimeException failure = null;
            for (Future<NodeAgent> f : started) {
                try {
                    synchronized (agents) {
                        agents.add(f.get());
                    }
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = new IllegalStateException("an agent did not start: " + e.getCause(), e.getCause());
                    }
                }
            }
            if (failure != null) {
                close();
                throw failure;
            }
        } finally {
            starters.shutdownNow();
        }
    }

    private static AgentConfig config(Server server, Member member) {
        return AgentConfig.builder()
                .serverAddress("127.0.0.1")
                .serverPort(server.port())
                .trustBundle(server.trustBundle())
                .joinToken(member.joinToken())
                .socketPath(member.socket())
                .dataDir(member.dataDir())
                .build();
    }

    int size() {
        synchronized (agents) {
            return agents.size();
        }
    }

    @Override
    public void close() {
        synchronized (agents) {
            agents.forEach(NodeAgent::close);
            agents.clear();
        }
    }
}
