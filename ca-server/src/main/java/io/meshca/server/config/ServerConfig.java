package io.meshca.server.config;

import io.meshca.common.spiffe.TrustDomain;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything ca-server needs to start, validated. Built with {@link #builder()}; every field has the
 * default of DESIGN section 7, so {@code ServerConfig.builder().build()} runs a working server.
 */
public final class ServerConfig {

    public static final TrustDomain DEFAULT_TRUST_DOMAIN = TrustDomain.parse("example.org");
    public static final Path DEFAULT_DATA_DIR = Path.of(".data", "server");
    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    public static final int DEFAULT_SERVER_PORT = 8081;
    public static final Path DEFAULT_ADMIN_SOCKET = Path.of("/tmp/meshca-server/private/api.sock");
    public static final Duration DEFAULT_CA_TTL = Duration.ofHours(24);
    public static final Duration DEFAULT_X509_SVID_TTL = Duration.ofHours(1);
    public static final Duration DEFAULT_AGENT_SVID_TTL = Duration.ofHours(1);
    public static final Duration DEFAULT_JOIN_TOKEN_TTL = Duration.ofSeconds(600);
    public static final String KEY_MANAGER_DISK = "disk";
    public static final String KEY_MANAGER_MEMORY = "memory";
    /** Issuance queues its audit row; a group-commit writer stores it (the default). */
    public static final String AUDIT_WRITES_ASYNC = "async";
    /** Issuance waits until its audit row is committed, and fails if it cannot be. */
    public static final String AUDIT_WRITES_SYNC = "sync";

    private final TrustDomain trustDomain;
    private final Path dataDir;
    private final String bindAddress;
    private final int serverPort;
    private final Path adminSocketPath;
    private final Duration caTtl;
    private final Duration x509SvidDefaultTtl;
    private final Duration agentSvidTtl;
    private final Duration joinTokenTtl;
    private final String keyManager;
    private final String auditWrites;
    private final String databaseUrl;
    private final FederationConfig federation;
    private final String jwtKeyType;
    private final Duration jwtSvidDefaultTtl;
    private final IstioCaConfig istioCa;
    private final Clock clock;

    private ServerConfig(Builder b) {
        this.trustDomain = b.trustDomain;
        this.dataDir = b.dataDir;
        this.bindAddress = b.bindAddress;
        this.serverPort = b.serverPort;
        this.adminSocketPath = b.adminSocketPath;
        this.caTtl = b.caTtl;
        this.x509SvidDefaultTtl = b.x509SvidDefaultTtl;
        this.agentSvidTtl = b.agentSvidTtl;
        this.joinTokenTtl = b.joinTokenTtl;
        this.keyManager = b.keyManager;
        this.auditWrites = b.auditWrites;
        this.databaseUrl = b.databaseUrl;
        this.federation = b.federation;
        this.jwtKeyType = b.jwtKeyType;
        this.jwtSvidDefaultTtl = b.jwtSvidDefaultTtl;
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

    public Path adminSocketPath() {
        return adminSocketPath;
    }

    public Duration caTtl() {
        return caTtl;
    }

    public Duration x509SvidDefaultTtl() {
        return x509SvidDefaultTtl;
    }

    public Duration agentSvidTtl() {
        return agentSvidTtl;
    }

    public Duration joinTokenTtl() {
        return joinTokenTtl;
    }

    public String keyManager() {
        return keyManager;
    }

    /** "async" (the default) or "sync": whether an issuance waits for its audit row to be committed. */
    public String auditWrites() {
        return auditWrites;
    }

    /** A JDBC URL; empty means SQLite in the data dir. */
    public Optional<String> databaseUrl() {
        return Optional.ofNullable(databaseUrl);
    }

    public Clock clock() {
        return clock;
    }

    /** ES256 (default) or RS256: the algorithm of the trust domain's JWT signing keys. */
    public String jwtKeyType() {
        return jwtKeyType;
    }

    public Duration jwtSvidDefaultTtl() {
        return jwtSvidDefaultTtl;
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
        b.adminSocketPath = adminSocketPath;
        b.caTtl = caTtl;
        b.x509SvidDefaultTtl = x509SvidDefaultTtl;
        b.agentSvidTtl = agentSvidTtl;
        b.joinTokenTtl = joinTokenTtl;
        b.keyManager = keyManager;
        b.auditWrites = auditWrites;
        b.databaseUrl = databaseUrl;
        b.federation = federation;
        b.jwtKeyType = jwtKeyType;
        b.jwtSvidDefaultTtl = jwtSvidDefaultTtl;
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
        private Path adminSocketPath = DEFAULT_ADMIN_SOCKET;
        private Duration caTtl = DEFAULT_CA_TTL;
        private Duration x509SvidDefaultTtl = DEFAULT_X509_SVID_TTL;
        private Duration agentSvidTtl = DEFAULT_AGENT_SVID_TTL;
        private Duration joinTokenTtl = DEFAULT_JOIN_TOKEN_TTL;
        private String keyManager = KEY_MANAGER_DISK;
        private String auditWrites = AUDIT_WRITES_ASYNC;
        private String databaseUrl;
        private FederationConfig federation = FederationConfig.NONE;
        private String jwtKeyType = "ES256";
        private Duration jwtSvidDefaultTtl = Duration.ofMinutes(5);
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

        public Builder adminSocketPath(Path value) {
            this.adminSocketPath = Objects.requireNonNull(value, "adminSocketPath");
            return this;
        }

        public Builder caTtl(Duration value) {
            this.caTtl = Objects.requireNonNull(value, "caTtl");
            return this;
        }

        public Builder x509SvidDefaultTtl(Duration value) {
            this.x509SvidDefaultTtl = Objects.requireNonNull(value, "x509SvidDefaultTtl");
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

        /** "disk" (PKCS#8 files in the data dir) or "memory" (tests). */
        public Builder keyManager(String value) {
            this.keyManager = Objects.requireNonNull(value, "keyManager");
            return this;
        }

        /**
         * "async" (queue the audit row, group commit in the background) or "sync" (each issuance waits for
         * its row's commit and fails if the row cannot be stored).
         */
        public Builder auditWrites(String value) {
            this.auditWrites = Objects.requireNonNull(value, "auditWrites");
            return this;
        }

        public Builder databaseUrl(String value) {
            this.databaseUrl = value;
            return this;
        }

        public Builder jwtKeyType(String value) {
            this.jwtKeyType = Objects.requireNonNull(value, "jwtKeyType");
            return this;
        }

        public Builder jwtSvidDefaultTtl(Duration value) {
            this.jwtSvidDefaultTtl = Objects.requireNonNull(value, "jwtSvidDefaultTtl");
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
            positive("caTtl", caTtl);
            positive("x509SvidDefaultTtl", x509SvidDefaultTtl);
            positive("agentSvidTtl", agentSvidTtl);
            positive("joinTokenTtl", joinTokenTtl);
            positive("jwtSvidDefaultTtl", jwtSvidDefaultTtl);
            if (!"ES256".equals(jwtKeyType) && !"RS256".equals(jwtKeyType)) {
                throw new ConfigException("jwtKeyType must be \"ES256\" or \"RS256\", got \"" + jwtKeyType + "\"");
            }
            if (!KEY_MANAGER_DISK.equals(keyManager) && !KEY_MANAGER_MEMORY.equals(keyManager)) {
                throw new ConfigException("keyManager must be \"disk\" or \"memory\", got \"" + keyManager + "\"");
            }
            if (!AUDIT_WRITES_ASYNC.equals(auditWrites) && !AUDIT_WRITES_SYNC.equals(auditWrites)) {
                throw new ConfigException("auditWrites must be \"async\" or \"sync\", got \"" + auditWrites + "\"");
            }
            if (!adminSocketPath.isAbsolute()) {
                throw new ConfigException("socketPath must be an absolute path, got " + adminSocketPath);
            }
            if (bindAddress.isBlank()) {
                throw new ConfigException("bindAddress is empty");
            }
            if (istioCa != null
                    && istioCa.configuredDefaultTtl().isEmpty()
                    && x509SvidDefaultTtl.compareTo(istioCa.maxTtl()) > 0) {
                throw new ConfigException(
                        "istioCa.maxTtl (" + istioCa.maxTtl() + ") is shorter than defaultX509SvidTtl ("
                                + x509SvidDefaultTtl + "), which istioCa uses when it has no defaultTtl");
            }
            return new ServerConfig(this);
        }

        private static void positive(String name, Duration value) {
            if (value.isZero() || value.isNegative()) {
                throw new ConfigException(name + " must be positive, got " + value);
            }
        }
    }
}
