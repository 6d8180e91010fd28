package io.meshca.agent.config;

import io.meshca.agent.sds.SdsSettings;
import io.meshca.common.config.YamlConfig;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.TrustDomain;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The node agent's settings, validated. Build with {@link #builder()} (defaults as DESIGN section 7),
 * optionally seeded from a YAML file ({@link Builder#file(Path)}); every flag of {@code agent run}
 * overrides the file's key of the same name.
 *
 * @param trustBundle PEM file with the server's CA certificates, needed only to attest (first start)
 * @param joinToken needed only when there is no stored agent SVID; never logged
 * @param dataDir where the agent keeps its own SVID, key and bundle (0600 files in a 0700 dir)
 * @param sds the resource names and validator switch of Envoy SDS on the socket
 */
public record AgentConfig(
        TrustDomain trustDomain,
        String serverAddress,
        int serverPort,
        Path socketPath,
        Path trustBundle,
        String joinToken,
        Path dataDir,
        SdsSettings sds) {

    public static final String DEFAULT_TRUST_DOMAIN = "example.org";
    public static final String DEFAULT_SERVER_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_SERVER_PORT = 8081;
    public static final Path DEFAULT_SOCKET_PATH = Path.of("/tmp/meshca-agent/public/api.sock");
    public static final Path DEFAULT_DATA_DIR = Path.of(".data", "agent");

    public AgentConfig {
        Objects.requireNonNull(trustDomain, "trustDomain");
        Objects.requireNonNull(serverAddress, "serverAddress");
        if (serverAddress.isBlank()) {
            throw new InvalidArgumentException("serverAddress is empty");
        }
        if (serverPort < 0 || serverPort > 65535) {
            throw new InvalidArgumentException("serverPort " + serverPort + " is not a TCP port (0-65535)");
        }
        socketPath = Objects.requireNonNull(socketPath, "socketPath").toAbsolutePath();
        trustBundle = trustBundle == null ? null : trustBundle.toAbsolutePath();
        joinToken = joinToken == null || joinToken.isBlank() ? null : joinToken.trim();
        dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath();
        Objects.requireNonNull(sds, "sds");
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<Path> trustBundleFile() {
        return Optional.ofNullable(trustBundle);
    }

    public Optional<String> joinTokenValue() {
        return Optional.ofNullable(joinToken);
    }

    @Override
    public String toString() {
        // never print the token
        return "AgentConfig[trustDomain=" + trustDomain + ", server=" + serverAddress + ":" + serverPort
                + ", socketPath=" + socketPath + ", trustBundle=" + trustBundle + ", joinToken="
                + (joinToken == null ? "none" : "(set)") + ", dataDir=" + dataDir + ", sds=" + sds + "]";
    }

    /** Collects settings; later calls override earlier ones, {@code null} leaves a setting as it is. */
    public static final class Builder {
        private String trustDomain = DEFAULT_TRUST_DOMAIN;
        private String serverAddress = DEFAULT_SERVER_ADDRESS;
        private int serverPort = DEFAULT_SERVER_PORT;
        private Path socketPath = DEFAULT_SOCKET_PATH;
        private Path trustBundle;
        private String joinToken;
        private Path dataDir = DEFAULT_DATA_DIR;
        private String sdsDefaultSvidName = SdsSettings.DEFAULT_SVID_NAME;
        private String sdsDefaultBundleName = SdsSettings.DEFAULT_BUNDLE_NAME;
        private String sdsDefaultAllBundlesName = SdsSettings.DEFAULT_ALL_BUNDLES_NAME;
        private boolean sdsDisableSpiffeCertValidation;

        private Builder() {}

        /** Takes every key present in the YAML file; throws naming an unknown key and the file. */
        public Builder file(Path configFile) {
            AgentConfigFile file = YamlConfig.load(configFile, AgentConfigFile.class);
            trustDomain(file.trustDomain);
            serverAddress(file.serverAddress);
            serverPort(file.serverPort);
            socketPath(file.socketPath == null ? null : Path.of(file.socketPath));
            trustBundle(file.trustBundle == null ? null : Path.of(file.trustBundle));
            joinToken(file.joinToken);
            dataDir(file.dataDir == null ? null : Path.of(file.dataDir));
            sdsDefaultSvidName(file.sdsDefaultSvidName);
            sdsDefaultBundleName(file.sdsDefaultBundleName);
            sdsDefaultAllBundlesName(file.sdsDefaultAllBundlesName);
            sdsDisableSpiffeCertValidation(file.sdsDisableSpiffeCertValidation);
            return this;
        }

        public Builder trustDomain(String value) {
            trustDomain = value == null ? trustDomain : value;
            return this;
        }

        public Builder serverAddress(String value) {
            serverAddress = value == null ? serverAddress : value;
            return this;
        }

        public Builder serverPort(Integer value) {
            serverPort = value == null ? serverPort : value;
            return this;
        }

        public Builder socketPath(Path value) {
            socketPath = value == null ? socketPath : value;
            return this;
        }

        public Builder trustBundle(Path value) {
            trustBundle = value == null ? trustBundle : value;
            return this;
        }

        public Builder joinToken(String value) {
            joinToken = value == null ? joinToken : value;
            return this;
        }

        public Builder dataDir(Path value) {
            dataDir = value == null ? dataDir : value;
            return this;
        }

        /** SDS resource name of the caller's default SVID. */
        public Builder sdsDefaultSvidName(String value) {
            sdsDefaultSvidName = value == null ? sdsDefaultSvidName : value;
            return this;
        }

        /** SDS resource name of the own trust domain's bundle. */
        public Builder sdsDefaultBundleName(String value) {
            sdsDefaultBundleName = value == null ? sdsDefaultBundleName : value;
            return this;
        }

        /** SDS resource name of the own and all federated bundles together. */
        public Builder sdsDefaultAllBundlesName(String value) {
            sdsDefaultAllBundlesName = value == null ? sdsDefaultAllBundlesName : value;
            return this;
        }

        /** Bundles as plain trusted_ca instead of Envoy's SPIFFE certificate validator. */
        public Builder sdsDisableSpiffeCertValidation(Boolean value) {
            sdsDisableSpiffeCertValidation = value == null ? sdsDisableSpiffeCertValidation : value;
            return this;
        }

        /** @throws InvalidArgumentException naming the invalid setting */
        public AgentConfig build() {
            TrustDomain domain;
            try {
                domain = TrustDomain.parse(trustDomain);
            } catch (RuntimeException e) {
                throw new InvalidArgumentException("invalid trustDomain \"" + trustDomain + "\": " + e.getMessage());
            }
            SdsSettings sds = new SdsSettings(
                    sdsDefaultSvidName, sdsDefaultBundleName, sdsDefaultAllBundlesName, sdsDisableSpiffeCertValidation);
            return new AgentConfig(domain, serverAddress, serverPort, socketPath, trustBundle, joinToken, dataDir, sds);
        }
    }
}
