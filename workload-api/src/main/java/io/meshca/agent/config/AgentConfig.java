package io.meshca.agent.config;

import io.meshca.agent.client.ServerAddress;
import io.meshca.agent.endpoint.SocketAccess;
import io.meshca.agent.sds.SdsSettings;
import io.meshca.common.config.YamlConfig;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.files.TextFiles;
import io.meshca.common.plugin.PluginsConfig;
import io.meshca.common.spiffe.TrustDomain;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The node agent's settings, validated and typed once. Build with {@link #builder()}, optionally seeded
 * from a YAML file ({@link Builder#file(Path)}). Every setting has one name: the file key, the builder
 * method, the accessor and the {@code agent run} flag that overrides the file's key (the four
 * {@code sds*} settings are read together as {@link #sds()}).
 */
public final class AgentConfig {

    public static final String DEFAULT_TRUST_DOMAIN = "example.org";
    public static final String DEFAULT_SERVER_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_SERVER_PORT = 8081;
    public static final Path DEFAULT_SOCKET_PATH = Path.of("/tmp/meshca-agent/public/api.sock");
    public static final Path DEFAULT_DATA_DIR = Path.of(".data", "agent");

    private final TrustDomain trustDomain;
    private final String serverAddress;
    private final int serverPort;
    private final List<ServerAddress> servers;
    private final Path socketPath;
    private final SocketAccess socketAccess;
    private final Path trustBundle;
    private final String joinToken;
    private final Path joinTokenFile;
    private final boolean rebootstrap;
    private final Path dataDir;
    private final SdsSettings sds;
    private final PluginsConfig plugins;

    private AgentConfig(Builder b, TrustDomain trustDomain, String joinToken, SdsSettings sds) {
        this.trustDomain = trustDomain;
        this.serverAddress = Objects.requireNonNull(b.serverAddress, "serverAddress");
        if (b.serverPort < 0 || b.serverPort > 65535) {
            throw new InvalidArgumentException("serverPort " + b.serverPort + " is not a TCP port (0-65535)");
        }
        this.serverPort = b.serverPort;
        this.servers = ServerAddress.parseList(serverAddress, serverPort);
        this.socketPath = Objects.requireNonNull(b.socketPath, "socketPath").toAbsolutePath();
        this.socketAccess = SocketAccess.parse(b.socketMode, b.socketGroup);
        this.trustBundle = b.trustBundle == null ? null : b.trustBundle.toAbsolutePath();
        this.joinToken = joinToken;
        this.joinTokenFile = b.joinTokenFile == null ? null : b.joinTokenFile.toAbsolutePath();
        this.rebootstrap = b.rebootstrap;
        this.dataDir = Objects.requireNonNull(b.dataDir, "dataDir").toAbsolutePath();
        this.sds = sds;
        this.plugins = b.plugins;
    }

    public static Builder builder() {
        return new Builder();
    }

    public TrustDomain trustDomain() {
        return trustDomain;
    }

    /** {@code -serverAddress} as given: one or more replicas, see {@link #servers()}. */
    public String serverAddress() {
        return serverAddress;
    }

    /** The port of {@link #serverAddress()} entries that name none. */
    public int serverPort() {
        return serverPort;
    }

    /**
     * The ca-server replicas: {@link #serverAddress()} parsed, one entry per comma-separated {@code host}
     * or {@code host:port}, in the order given; a host name stands for every address it resolves to.
     */
    public List<ServerAddress> servers() {
        return servers;
    }

    /** The Workload API and SDS socket. */
    public Path socketPath() {
        return socketPath;
    }

    /** The socket's mode and group ({@code socketMode}, {@code socketGroup}): who may connect at all. */
    public SocketAccess socketAccess() {
        return socketAccess;
    }

    /** PEM file with the server's CA certificates; needed only to attest (first start). */
    public Optional<Path> trustBundle() {
        return Optional.ofNullable(trustBundle);
    }

    /**
     * The join_token node attestor's token, given as such or read from {@link #joinTokenFile()};
     * needed only when no agent SVID is stored. Never logged.
     */
    public Optional<String> joinToken() {
        return Optional.ofNullable(joinToken);
    }

    /** The file the join token was read from, if it came from one. */
    public Optional<Path> joinTokenFile() {
        return Optional.ofNullable(joinTokenFile);
    }

    /**
     * Attest with the join token even though an agent SVID is stored, replacing it. A flag of {@code
     * agent run} only, never a file key: in a file it would spend a token at every restart.
     */
    public boolean rebootstrap() {
        return rebootstrap;
    }

    /** Where the agent keeps its own SVID, key and bundle (0600 files in a 0700 dir). */
    public Path dataDir() {
        return dataDir;
    }

    /** The resource names and validator switch of Envoy SDS on the socket. */
    public SdsSettings sds() {
        return sds;
    }

    /**
     * The {@code plugins:} block as written (empty if absent); the agent's plugin catalog fills in the
     * built-in default of each kind the block leaves out.
     */
    public PluginsConfig plugins() {
        return plugins;
    }

    @Override
    public String toString() {
        // never print the token
        return "AgentConfig[trustDomain=" + trustDomain + ", servers=" + servers
                + ", socketPath=" + socketPath + ", socketAccess=" + socketAccess + ", trustBundle=" + trustBundle
                + ", joinToken="
                + (joinToken == null ? "none" : "(set)") + ", joinTokenFile=" + joinTokenFile + ", rebootstrap="
                + rebootstrap + ", dataDir=" + dataDir + ", sds=" + sds + ", "
                + plugins + "]";
    }

    /** Collects settings; later calls override earlier ones, {@code null} leaves a setting as it is. */
    public static final class Builder {
        private String trustDomain = DEFAULT_TRUST_DOMAIN;
        private String serverAddress = DEFAULT_SERVER_ADDRESS;
        private int serverPort = DEFAULT_SERVER_PORT;
        private Path socketPath = DEFAULT_SOCKET_PATH;
        private String socketMode;
        private String socketGroup;
        private Path trustBundle;
        private String joinToken;
        private Path joinTokenFile;
        private boolean rebootstrap;
        private Path dataDir = DEFAULT_DATA_DIR;
        private String sdsDefaultSvidName = SdsSettings.DEFAULT_SVID_NAME;
        private String sdsDefaultBundleName = SdsSettings.DEFAULT_BUNDLE_NAME;
        private String sdsDefaultAllBundlesName = SdsSettings.DEFAULT_ALL_BUNDLES_NAME;
        private boolean sdsDisableSpiffeCertValidation;
        private PluginsConfig plugins = PluginsConfig.EMPTY;

        private Builder() {}

        /** Takes every key present in the YAML file; throws naming an unknown key and the file. */
        public Builder file(Path configFile) {
            AgentConfigFile file = YamlConfig.load(configFile, AgentConfigFile.class);
            trustDomain(file.trustDomain);
            serverAddress(file.serverAddress);
            serverPort(file.serverPort);
            socketPath(file.socketPath == null ? null : Path.of(file.socketPath));
            socketMode(file.socketMode);
            socketGroup(file.socketGroup);
            trustBundle(file.trustBundle == null ? null : Path.of(file.trustBundle));
            joinToken(file.joinToken);
            joinTokenFile(file.joinTokenFile == null ? null : Path.of(file.joinTokenFile));
            dataDir(file.dataDir == null ? null : Path.of(file.dataDir));
            sdsDefaultSvidName(file.sdsDefaultSvidName);
            sdsDefaultBundleName(file.sdsDefaultBundleName);
            sdsDefaultAllBundlesName(file.sdsDefaultAllBundlesName);
            sdsDisableSpiffeCertValidation(file.sdsDisableSpiffeCertValidation);
            plugins(file.plugins == null ? null : PluginsConfig.of(file.plugins));
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

        /** The socket's file mode in octal, e.g. {@code 0770}; default {@value SocketAccess#DEFAULT_MODE}. */
        public Builder socketMode(String value) {
            socketMode = value == null ? socketMode : value;
            return this;
        }

        /** The socket's group, a name or a numeric gid; default the agent's own. */
        public Builder socketGroup(String value) {
            socketGroup = value == null ? socketGroup : value;
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

        /** A file holding the join token (surrounding whitespace ignored): kept out of the process list. */
        public Builder joinTokenFile(Path value) {
            joinTokenFile = value == null ? joinTokenFile : value;
            return this;
        }

        /** See {@link AgentConfig#rebootstrap()}. */
        public Builder rebootstrap(boolean value) {
            rebootstrap = value;
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

        /** The {@code plugins:} block: for each plugin kind, the chosen plugins and their settings. */
        public Builder plugins(PluginsConfig value) {
            plugins = value == null ? plugins : value;
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
            return new AgentConfig(this, domain, token(), sds);
        }

        /** The token as given, or read from its file; never both. */
        private String token() {
            String given = joinToken == null || joinToken.isBlank() ? null : joinToken.trim();
            if (joinTokenFile == null) {
                return given;
            }
            if (given != null) {
                throw new InvalidArgumentException(
                        "both joinToken and joinTokenFile are set: give the join token one way only");
            }
            String read = TextFiles.readUtf8(joinTokenFile, "join token file").strip();
            if (read.isEmpty()) {
                throw new InvalidArgumentException("join token file " + joinTokenFile
                        + " is empty: write the token from `server token generate` into it");
            }
            return read;
        }
    }
}
