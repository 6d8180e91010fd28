package io.meshca.samples.bench;

import io.meshca.agent.NodeAgent;
import io.meshca.agent.config.AgentConfig;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.api.admin.AdminClient;
import io.meshca.server.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The mesh the rotation bench runs on, all in this process: a ca-server whose CA lives {@code caTtl}
 * (every SVID TTL at half of it, the most ServerConfig allows) — self-signed, or under a corporate root
 * through the {@code disk} upstream authority — and a node agent attested with a join token, serving
 * the Workload API on a unix socket. Everything lives in one temporary directory, removed at close.
 */
final class RotationMesh implements AutoCloseable {

    static final String TRUST_DOMAIN = "example.org";
    static final SpiffeId NODE = SpiffeId.parse("spiffe://example.org/meshca-bench/rotation-node");

    private final BenchServer server;
    private final Optional<DiskUpstreamFiles> upstream;
    private final NodeAgent agent;
    private final Path agentSocket;

    private RotationMesh(BenchServer server, Optional<DiskUpstreamFiles> upstream, NodeAgent agent, Path agentSocket) {
        this.server = server;
        this.upstream = upstream;
        this.agent = agent;
        this.agentSocket = agentSocket;
    }

    /**
     * Starts the server and the agent; returns once the agent serves its socket.
     *
     * @param root the corporate root the server's CAs are signed under, or empty for self-signed CAs
     */
    static RotationMesh start(Duration caTtl, Optional<CorporateRoot> root) throws IOException {
        Duration svidTtl = caTtl.dividedBy(2);
        BenchServer server = BenchServer.start("meshca-bench-rotation", (dir, config) -> {
            config.caTtl(caTtl)
                    .defaultX509SvidTtl(svidTtl)
                    .agentSvidTtl(svidTtl)
                    .defaultJwtSvidTtl(svidTtl);
            if (root.isPresent()) {
                DiskUpstreamFiles files = upstreamFiles(dir);
                files.trust(List.of(root.get()));
                files.signWith(root.get());
                config.plugins(files.pluginsConfig());
            }
        });
        try {
            Path socket = server.dir.resolve("agent/api.sock");
            NodeAgent agent = NodeAgent.start(AgentConfig.builder()
                    .trustDomain(TRUST_DOMAIN)
                    .serverAddress("127.0.0.1")
                    .serverPort(server.server.agentApiPort())
                    .trustBundle(server.writeBundle())
                    .joinToken(server.admin.generateJoinToken(Duration.ofMinutes(10), Optional.of(NODE)))
                    .socketPath(socket)
                    .dataDir(server.dir.resolve("agent-data"))
                    .build());
            return new RotationMesh(server, root.map(r -> upstreamFiles(server.dir)), agent, socket);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static DiskUpstreamFiles upstreamFiles(Path dir) {
        return new DiskUpstreamFiles(dir.resolve("upstream"));
    }

    /** Registers the SPIFFE ID {@code workload} for every process of this uid (so: this one), under the agent. */
    void register(String workload) throws IOException {
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        admin().createEntry(
                        SpiffeId.parse(workload),
                        NODE,
                        SelectorSet.of(Selector.parse("unix:uid:" + uid)),
                        Duration.ZERO);
    }

    AdminClient admin() {
        return server.admin;
    }

    ServerConfig config() {
        return server.server.config();
    }

    /** The Workload API address java-spiffe takes: {@code unix:///abs/path}. */
    String workloadApi() {
        return "unix://" + agentSocket.toAbsolutePath();
    }

    Path agentSocket() {
        return agentSocket;
    }

    /** The upstream authority's files, when the server's CAs are under a corporate root. */
    Optional<DiskUpstreamFiles> upstream() {
        return upstream;
    }

    /** Where the bench may keep files of its own until close. */
    Path dir() {
        return server.dir;
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
