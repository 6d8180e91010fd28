package io.meshca.samples.bench;

import io.meshca.server.CaServer;
import io.meshca.server.api.admin.AdminClient;
import io.meshca.server.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A throwaway in-process ca-server for a bench: free port on loopback, memory keys, a temp dir removed at
 * close. The bench drives it through its admin API, as an operator would.
 */
final class BenchServer implements AutoCloseable {

    final Path dir;
    final CaServer server;
    final AdminClient admin;

    private BenchServer(Path dir, CaServer server) {
        this.dir = dir;
        this.server = server;
        this.admin = AdminClient.connect(server.adminSocketPath());
    }

    /** What a bench changes in the server's configuration; may write files (upstream CA...) into {@code dir}. */
    @FunctionalInterface
    interface Configurer {
        void configure(Path dir, ServerConfig.Builder config) throws IOException;
    }

    static BenchServer start(String prefix) throws IOException {
        return start(prefix, (dir, config) -> {});
    }

    static BenchServer start(String prefix, Configurer configurer) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        try {
            ServerConfig.Builder config = ServerConfig.builder()
                    .dataDir(dir.resolve("server"))
                    .bindAddress("127.0.0.1")
                    .serverPort(0)
                    .socketPath(dir.resolve("admin/api.sock"))
                    .keyManager(ServerConfig.KEY_MANAGER_MEMORY);
            configurer.configure(dir, config);
            CaServer server = CaServer.start(config.build());
            return new BenchServer(dir, server);
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    Path writeBundle() throws IOException {
        Path bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, admin.trustBundlePem());
        return bundle;
    }

    @Override
    public void close() {
        admin.close();
        server.close();
        deleteTree(dir);
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is harmless
        }
    }
}
