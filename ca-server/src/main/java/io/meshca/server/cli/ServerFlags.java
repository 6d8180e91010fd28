package io.meshca.server.cli;

import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.config.ServerConfig;
import io.meshca.server.config.ServerConfigLoader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The flags of {@code run} and {@code validate}: a config file, and flags that override its keys. */
final class ServerFlags {

    @Option(names = "-config", paramLabel = "file", description = "YAML config file; flags override its keys.")
    Path config;

    @Option(names = "-trustDomain", paramLabel = "td", description = "Trust domain (default example.org).")
    String trustDomain;

    @Option(
            names = "-dataDir",
            paramLabel = "dir",
            description = "Data directory: database and keys (default .data/server).")
    Path dataDir;

    @Option(names = "-bindAddress", paramLabel = "address", description = "Address of the agent API (default 0.0.0.0).")
    String bindAddress;

    @Option(names = "-serverPort", paramLabel = "port", description = "Port of the agent API (default 8081).")
    Integer serverPort;

    @Option(
            names = "-socketPath",
            paramLabel = "path",
            description = "Admin socket (default /tmp/meshca-server/private/api.sock).")
    Path socketPath;

    @Option(
            names = "-bundleEndpointPort",
            paramLabel = "port",
            description =
                    "Serve the SPIFFE bundle endpoint on this port (https_spiffe unless bundleEndpoint in the config names serving files).")
    Integer bundleEndpointPort;

    /** Config file first, then flags: every flag overrides its config key. */
    ServerConfig buildConfig() {
        ServerConfig.Builder b = ServerConfig.builder();
        if (config != null) {
            ServerConfigLoader.apply(config, b);
        }
        if (trustDomain != null) {
            b.trustDomain(TrustDomain.parse(trustDomain));
        }
        if (dataDir != null) {
            b.dataDir(dataDir);
        }
        if (bindAddress != null) {
            b.bindAddress(bindAddress);
        }
        if (serverPort != null) {
            b.serverPort(serverPort);
        }
        if (socketPath != null) {
            b.socketPath(socketPath.toAbsolutePath());
        }
        if (bundleEndpointPort != null) {
            b.bundleEndpointPort(bundleEndpointPort);
        }
        return b.build();
    }
}
