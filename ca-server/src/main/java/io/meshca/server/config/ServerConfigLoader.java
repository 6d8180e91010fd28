package io.meshca.server.config;

import io.meshca.common.config.Durations;
import io.meshca.common.config.YamlConfig;
import io.meshca.common.spiffe.TrustDomain;
import java.nio.file.Path;

/** Applies a YAML config file to a builder: file values first, so that flags applied later override them. */
public final class ServerConfigLoader {

    private ServerConfigLoader() {}

    public static ServerConfig.Builder apply(Path file, ServerConfig.Builder builder) {
        ServerConfigFile f = YamlConfig.load(file, ServerConfigFile.class);
        if (f.trustDomain != null) {
            builder.trustDomain(TrustDomain.parse(f.trustDomain));
        }
        if (f.dataDir != null) {
            builder.dataDir(Path.of(f.dataDir));
        }
        if (f.bindAddress != null) {
            builder.bindAddress(f.bindAddress);
        }
        if (f.serverPort != null) {
            builder.serverPort(f.serverPort);
        }
        if (f.socketPath != null) {
            builder.adminSocketPath(Path.of(f.socketPath).toAbsolutePath());
        }
        if (f.caTtl != null) {
            builder.caTtl(Durations.parsePositive("caTtl", f.caTtl));
        }
        if (f.defaultX509SvidTtl != null) {
            builder.x509SvidDefaultTtl(Durations.parsePositive("defaultX509SvidTtl", f.defaultX509SvidTtl));
        }
        if (f.agentSvidTtl != null) {
            builder.agentSvidTtl(Durations.parsePositive("agentSvidTtl", f.agentSvidTtl));
        }
        if (f.joinTokenTtl != null) {
            builder.joinTokenTtl(Durations.parsePositive("joinTokenTtl", f.joinTokenTtl));
        }
        if (f.keyManager != null) {
            builder.keyManager(f.keyManager);
        }
        if (f.auditWrites != null) {
            builder.auditWrites(f.auditWrites);
        }
        if (f.databaseUrl != null) {
            builder.databaseUrl(f.databaseUrl);
        }
        if (f.jwtKeyType != null) {
            builder.jwtKeyType(f.jwtKeyType);
        }
        if (f.defaultJwtSvidTtl != null) {
            builder.jwtSvidDefaultTtl(Durations.parsePositive("defaultJwtSvidTtl", f.defaultJwtSvidTtl));
        }
        if (f.bundleEndpoint != null || f.federatesWith != null || f.federationRefresh != null) {
            builder.federation(FederationConfigFile.apply(
                    builder.federation(), f.bundleEndpoint, f.federatesWith, f.federationRefresh));
        }
        if (f.istioCa != null) {
            builder.istioCa(f.istioCa.toConfig());
        }
        return builder;
    }
}
