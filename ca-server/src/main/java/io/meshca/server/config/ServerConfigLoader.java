package io.meshca.server.config;

import io.meshca.common.config.Durations;
import io.meshca.common.config.YamlConfig;
import io.meshca.common.plugin.PluginsConfig;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.audit.GroupCommitAuditLog;
import io.meshca.server.ca.jwt.JwtKeyType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

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
            builder.socketPath(Path.of(f.socketPath).toAbsolutePath());
        }
        if (f.caTtl != null) {
            builder.caTtl(Durations.parsePositive("caTtl", f.caTtl));
        }
        if (f.defaultX509SvidTtl != null) {
            builder.defaultX509SvidTtl(Durations.parsePositive("defaultX509SvidTtl", f.defaultX509SvidTtl));
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
            builder.auditWrites(oneOf(
                    "auditWrites", f.auditWrites, GroupCommitAuditLog.Mode.values(), ServerConfigLoader::auditWrites));
        }
        if (f.signingQueueSize != null) {
            builder.signingQueueSize(f.signingQueueSize);
        }
        if (f.databaseUrl != null) {
            builder.databaseUrl(f.databaseUrl);
        }
        if (f.jwtKeyType != null) {
            builder.jwtKeyType(oneOf("jwtKeyType", f.jwtKeyType, JwtKeyType.values(), JwtKeyType::name));
        }
        if (f.defaultJwtSvidTtl != null) {
            builder.defaultJwtSvidTtl(Durations.parsePositive("defaultJwtSvidTtl", f.defaultJwtSvidTtl));
        }
        if (f.bundleEndpoint != null || f.federatesWith != null || f.federationRefresh != null) {
            builder.federation(FederationConfigFile.apply(
                    builder.federation(), f.bundleEndpoint, f.federatesWith, f.federationRefresh));
        }
        if (f.plugins != null) {
            builder.plugins(PluginsConfig.of(f.plugins));
        }
        if (f.istioCa != null) {
            builder.istioCa(f.istioCa.toConfig());
        }
        return builder;
    }

    /** How the file spells each audit mode: {@code async}, {@code sync}. */
    private static String auditWrites(GroupCommitAuditLog.Mode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The choice spelled {@code text}, exactly as the file must write it.
     *
     * @throws ConfigException naming the key, the choices and the value
     */
    private static <E> E oneOf(String key, String text, E[] choices, Function<E, String> spelling) {
        for (E choice : choices) {
            if (spelling.apply(choice).equals(text)) {
                return choice;
            }
        }
        throw new ConfigException(key + " must be "
                + Arrays.stream(choices)
                        .map(c -> "\"" + spelling.apply(c) + "\"")
                        .collect(Collectors.joining(" or "))
                + ", got \"" + text + "\"");
    }
}
