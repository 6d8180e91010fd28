package io.meshca.server.config;

import io.meshca.common.config.Durations;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.plugin.PluginsConfig;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.audit.GroupCommitAuditLog;
import io.meshca.server.ca.jwt.JwtKeyType;
import io.meshca.server.plugin.ServerCatalog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything ca-server needs to start, validated and typed. Built with {@link #builder()}; every field
 * has a default, so {@code ServerConfig.builder().build()} runs a working server. Each setting has one
 * name: the config file key, the builder method, the accessor and the {@code run} flag (if any).
 */
public final class ServerConfig {

    public static final TrustDomain DEFAULT_TRUST_DOMAIN = TrustDomain.parse("example.org");
    public static final Path DEFAULT_DATA_DIR = Path.of(".data", "server");
    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    public static final int DEFAULT_SERVER_PORT = 8081;
    public static final Path DEFAULT_SOCKET_PATH = Path.of("/tmp/meshca-server/private/api.sock");
    public static final Duration DEFAULT_CA_TTL = Duration.ofHours(24);
    /** The shortest CA lifetime: enough to show and test rotation in minutes, never in production. */
    public static final Duration MIN_CA_TTL = Duration.ofMinutes(1);
    /** Below this the server warns at start: a CA that short only makes sense for demos and tests. */
    public static final Duration WARN_CA_TTL = Duration.ofHours(1);

    public static final Duration DEFAULT_X509_SVID_TTL = Duration.ofHours(1);
    public static final Duration DEFAULT_AGENT_SVID_TTL = Duration.ofHours(1);
    public static final Duration DEFAULT_JOIN_TOKEN_TTL = Duration.ofSeconds(600);
    /**
     * CSRs the server takes on at once, queued or being signed, before it answers RESOURCE_EXHAUSTED
     * with a retry delay. 5,000 is under a second of signing at the 5,000–12,000 certificates/s a
     * 2-core server sustains, so an admitted request is answered within about a second plus its own
     * signing; it holds 50 agent batches of 100; and what it keeps in memory (each CSR with its
     * request and answer, ~2.5 KB) stays near 12 MB. More cores sign faster and may take a larger queue
     * for the same wait; a slow key manager (an HSM) wants a smaller one.
     */
    public static final int DEFAULT_SIGNING_QUEUE_SIZE = 5000;

    public static final String KEY_MANAGER_DISK = ServerCatalog.DISK;
    public static final String KEY_MANAGER_MEMORY = ServerCatalog.MEMORY;

    private final TrustDomain trustDomain;
    private final Path dataDir;
    private final String bindAddress;
    private final int serverPort;
    private final Path socketPath;
    private final Duration caTtl;
    private final Duration defaultX509SvidTtl;
    private final Duration agentSvidTtl;
    private final Duration joinTokenTtl;
    private final PluginsConfig plugins;
    /** As given to the builder, for {@link #toBuilder()}: the short form and the plugins block. */
    private final String keyManagerSetting;

    private final PluginsConfig pluginsSetting;
    private final GroupCommitAuditLog.Mode auditWrites;
    private final int signingQueueSize;
    private final String databaseUrl;
    private final FederationConfig federation;
    private final JwtKeyType jwtKeyType;
    private final Duration defaultJwtSvidTtl;
    private final IstioCaConfig istioCa;
    private final Clock clock;

    private ServerConfig(Builder b, PluginsConfig plugins) {
        this.trustDomain = b.trustDomain;
        this.dataDir = b.dataDir;
        this.bindAddress = b.bindAddress;
        this.serverPort = b.serverPort;
        this.socketPath = b.socketPath;
        this.caTtl = b.caTtl;
        this.defaultX509SvidTtl = b.defaultX509SvidTtl;
        this.agentSvidTtl = b.agentSvidTtl;
        this.joinTokenTtl = b.joinTokenTtl;
        this.plugins = plugins;
        this.keyManagerSetting = b.keyManager;
        this.pluginsSetting = b.plugins;
        this.auditWrites = b.auditWrites;
        this.signingQueueSize = b.signingQueueSize;
        this.databaseUrl = b.databaseUrl;
        this.federation = b.federation;
        this.jwtKeyType = b.jwtKeyType;
        this.defaultJwtSvidTtl = b.defaultJwtSvidTtl;
        this.istioCa = b.istioCa;
        this.clock = b.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    public TrustDomain trustDomain() {
        return trustDomain;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String bindAddress() {
        return bindAddress;
    }

    /** 0 means: pick a free port (tests). */
    public int serverPort() {
        return serverPort;
    }

    public Path socketPath() {
        return socketPath;
    }

    public Duration caTtl() {
        return caTtl;
    }

    public Duration defaultX509SvidTtl() {
        return defaultX509SvidTtl;
    }

    public Duration agentSvidTtl() {
        return agentSvidTtl;
    }

    public Duration joinTokenTtl() {
        return joinTokenTtl;
    }

    /** The name of the key manager plugin in use ({@code disk} by default). */
    public String keyManager() {
        return plugins.plugins(ServerCatalog.KEY_MANAGER.name())
                .keySet()
                .iterator()
                .next();
    }

    /** The plugins the server runs: the {@code plugins} block, {@code keyManager} and the defaults. */
    public PluginsConfig plugins() {
        return plugins;
    }

    /** ASYNC (the default) or SYNC: whether an issuance waits for its audit row to be committed. */
    public GroupCommitAuditLog.Mode auditWrites() {
        return auditWrites;
    }

    /**
     * CSRs (and JWT-SVIDs) the server takes on at once, queued or being signed; beyond it, callers are
     * told RESOURCE_EXHAUSTED and when to retry. Agent SVID renewals have a reserve on top (see
     * SigningAdmission).
     */
    public int signingQueueSize() {
        return signingQueueSize;
    }

    /** A JDBC URL; empty means SQLite in the data dir. */
    public Optional<String> databaseUrl() {
        return Optional.ofNullable(databaseUrl);
    }

    public Clock clock() {
        return clock;
    }

    /** ES256 (default) or RS256: the algorithm of the trust domain's JWT signing keys. */
    public JwtKeyType jwtKeyType() {
        return jwtKeyType;
    }

    public Duration defaultJwtSvidTtl() {
        return defaultJwtSvidTtl;
    }

    /** Bundle endpoint and federation relationships (none by default). */
    public FederationConfig federation() {
        return federation;
    }

    /** The listener for Istio's CA API; empty (the default): none. */
    public Optional<IstioCaConfig> istioCa() {
        return Optional.ofNullable(istioCa);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.trustDomain = trustDomain;
        b.dataDir = dataDir;
        b.bindAddress = bindAddress;
        b.serverPort = serverPort;
        b.socketPath = socketPath;
        b.caTtl = caTtl;
        b.defaultX509SvidTtl = defaultX509SvidTtl;
        b.agentSvidTtl = agentSvidTtl;
        b.joinTokenTtl = joinTokenTtl;
        b.keyManager = keyManagerSetting;
        b.plugins = pluginsSetting;
        b.auditWrites = auditWrites;
        b.signingQueueSize = signingQueueSize;
        b.databaseUrl = databaseUrl;
        b.federation = federation;
        b.jwtKeyType = jwtKeyType;
        b.defaultJwtSvidTtl = defaultJwtSvidTtl;
        b.istioCa = istioCa;
        b.clock = clock;
        return b;
    }

    /** Builder with the defaults preset; {@link #build()} checks every field. */
    public static final class Builder {
        private TrustDomain trustDomain = DEFAULT_TRUST_DOMAIN;
        private Path dataDir = DEFAULT_DATA_DIR;
        private String bindAddress = DEFAULT_BIND_ADDRESS;
        private int serverPort = DEFAULT_SERVER_PORT;
        private Path socketPath = DEFAULT_SOCKET_PATH;
        private Duration caTtl = DEFAULT_CA_TTL;
        private Duration defaultX509SvidTtl = DEFAULT_X509_SVID_TTL;
        private Duration agentSvidTtl = DEFAULT_AGENT_SVID_TTL;
        private Duration joinTokenTtl = DEFAULT_JOIN_TOKEN_TTL;
        private String keyManager;
        private PluginsConfig plugins = PluginsConfig.EMPTY;
        private GroupCommitAuditLog.Mode auditWrites = GroupCommitAuditLog.Mode.ASYNC;
        private int signingQueueSize = DEFAULT_SIGNING_QUEUE_SIZE;
        private String databaseUrl;
        private FederationConfig federation = FederationConfig.NONE;
        private JwtKeyType jwtKeyType = JwtKeyType.ES256;
        private Duration defaultJwtSvidTtl = Duration.ofMinutes(5);
        private IstioCaConfig istioCa;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder trustDomain(TrustDomain value) {
            this.trustDomain = Objects.requireNonNull(value, "trustDomain");
            return this;
        }

        public Builder dataDir(Path value) {
            this.dataDir = Objects.requireNonNull(value, "dataDir");
            return this;
        }

        public Builder bindAddress(String value) {
            this.bindAddress = Objects.requireNonNull(value, "bindAddress");
            return this;
        }

        public Builder serverPort(int value) {
            this.serverPort = value;
            return this;
        }

        public Builder socketPath(Path value) {
            this.socketPath = Objects.requireNonNull(value, "socketPath");
            return this;
        }

        public Builder caTtl(Duration value) {
            this.caTtl = Objects.requireNonNull(value, "caTtl");
            return this;
        }

        public Builder defaultX509SvidTtl(Duration value) {
            this.defaultX509SvidTtl = Objects.requireNonNull(value, "defaultX509SvidTtl");
            return this;
        }

        public Builder agentSvidTtl(Duration value) {
            this.agentSvidTtl = Objects.requireNonNull(value, "agentSvidTtl");
            return this;
        }

        public Builder joinTokenTtl(Duration value) {
            this.joinTokenTtl = Objects.requireNonNull(value, "joinTokenTtl");
            return this;
        }

        /**
         * "disk" (PKCS#8 files in the data dir) or "memory" (tests): short for {@code plugins: { keyManager:
         * { <value>: {} } }}, so it cannot be combined with a {@code keyManager} in {@link #plugins}.
         */
        public Builder keyManager(String value) {
            this.keyManager = Objects.requireNonNull(value, "keyManager");
            return this;
        }

        /** The {@code plugins} block: kinds left out run their defaults (disk, join_token, none). */
        public Builder plugins(PluginsConfig value) {
            this.plugins = Objects.requireNonNull(value, "plugins");
            return this;
        }

        /**
         * ASYNC (queue the audit row, group commit in the background) or SYNC (each issuance waits for its
         * row's commit and fails if the row cannot be stored).
         */
        public Builder auditWrites(GroupCommitAuditLog.Mode value) {
            this.auditWrites = Objects.requireNonNull(value, "auditWrites");
            return this;
        }

        /** CSRs queued or being signed at most; at least 1 ({@link #DEFAULT_SIGNING_QUEUE_SIZE}). */
        public Builder signingQueueSize(int value) {
            this.signingQueueSize = value;
            return this;
        }

        public Builder databaseUrl(String value) {
            this.databaseUrl = value;
            return this;
        }

        public Builder jwtKeyType(JwtKeyType value) {
            this.jwtKeyType = Objects.requireNonNull(value, "jwtKeyType");
            return this;
        }

        public Builder defaultJwtSvidTtl(Duration value) {
            this.defaultJwtSvidTtl = Objects.requireNonNull(value, "defaultJwtSvidTtl");
            return this;
        }

        public Builder federation(FederationConfig value) {
            this.federation = Objects.requireNonNull(value, "federation");
            return this;
        }

        /** Enables Istio's CA API; null disables it. */
        public Builder istioCa(IstioCaConfig value) {
            this.istioCa = value;
            return this;
        }

        public Builder bundleEndpointPort(int port) {
            this.federation = federation.withEndpointPort(port);
            return this;
        }

        FederationConfig federation() {
            return federation;
        }

        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public ServerConfig build() {
            if (serverPort < 0 || serverPort > 65535) {
                throw new ConfigException("serverPort must be between 0 and 65535, got " + serverPort);
            }
            if (signingQueueSize < 1) {
                throw new ConfigException("signingQueueSize must be at least 1 (CSRs queued or being signed at"
                        + " once), got " + signingQueueSize);
            }
            positive("caTtl", caTtl);
            positive("defaultX509SvidTtl", defaultX509SvidTtl);
            positive("agentSvidTtl", agentSvidTtl);
            positive("joinTokenTtl", joinTokenTtl);
            positive("defaultJwtSvidTtl", defaultJwtSvidTtl);
            checkCaTtl();
            PluginsConfig effective = effectivePlugins();
            try {
                ServerCatalog.check(effective);
            } catch (InvalidArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
            if (!socketPath.isAbsolute()) {
                throw new ConfigException("socketPath must be an absolute path, got " + socketPath);
            }
            if (bindAddress.isBlank()) {
                throw new ConfigException("bindAddress is empty");
            }
            if (istioCa != null
                    && istioCa.configuredDefaultTtl().isEmpty()
                    && defaultX509SvidTtl.compareTo(istioCa.maxTtl()) > 0) {
                throw new ConfigException(
                        "istioCa.maxTtl (" + istioCa.maxTtl() + ") is shorter than defaultX509SvidTtl ("
                                + defaultX509SvidTtl + "), which istioCa uses when it has no defaultTtl");
            }
            return new ServerConfig(this, effective);
        }

        /**
         * The plugins block with {@code keyManager} mapped onto it and the defaults filled in.
         *
         * @throws ConfigException if both {@code keyManager} and {@code plugins.keyManager} are set
         */
        private PluginsConfig effectivePlugins() {
            String kind = ServerCatalog.KEY_MANAGER.name();
            PluginsConfig chosen = plugins;
            if (keyManager != null) {
                if (plugins.kinds().contains(kind)) {
                    throw new ConfigException("keyManager (" + keyManager + ") and plugins.keyManager ("
                            + String.join(", ", plugins.plugins(kind).keySet())
                            + ") both choose the key manager: set only one of them");
                }
                chosen = plugins.with(kind, List.of(keyManager));
            }
            return ServerCatalog.withDefaults(chosen);
        }

        /**
         * A CA must outlive what it signs: SVIDs are cut at their issuer's NotAfter, and rotation needs the
         * old CA to stay valid for a whole SVID lifetime after the new one starts signing.
         */
        private void checkCaTtl() {
            if (caTtl.compareTo(MIN_CA_TTL) < 0) {
                throw new ConfigException(
                        "caTtl must be at least " + Durations.format(MIN_CA_TTL) + ", got " + Durations.format(caTtl));
            }
            Map<String, Duration> svidTtls = new LinkedHashMap<>();
            svidTtls.put("defaultX509SvidTtl", defaultX509SvidTtl);
            svidTtls.put("agentSvidTtl", agentSvidTtl);
            svidTtls.put("defaultJwtSvidTtl", defaultJwtSvidTtl);
            Map.Entry<String, Duration> largest = svidTtls.entrySet().stream()
                    .max(Map.Entry.comparingByValue())
                    .orElseThrow();
            if (caTtl.compareTo(largest.getValue().multipliedBy(2)) < 0) {
                throw new ConfigException("caTtl (" + Durations.format(caTtl) + ") must be at least twice the"
                        + " largest SVID TTL: " + largest.getKey() + " is " + Durations.format(largest.getValue())
                        + "; lower " + largest.getKey() + " to " + Durations.format(caTtl.dividedBy(2))
                        + " or raise caTtl to "
                        + Durations.format(largest.getValue().multipliedBy(2)));
            }
        }

        private static void positive(String name, Duration value) {
            if (value.isZero() || value.isNegative()) {
                throw new ConfigException(name + " must be positive, got " + value);
            }
        }
    }
}
