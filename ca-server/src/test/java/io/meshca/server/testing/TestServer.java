package io.meshca.server.testing;

import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.CaServer;
import io.meshca.server.api.admin.AdminClient;
import io.meshca.server.config.ServerConfig;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.AuthorityStatus;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.model.StoredJwtAuthority;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A real {@link CaServer} for tests: on loopback with a free port, memory keys, its data and admin
 * socket under a test's directory. Tests drive it as an operator would, through the admin API
 * ({@link #admin()}, and the shorthands here); the few checks no API answers read its database
 * through a connection of their own ({@link #changeLogRevision()}, {@link #publishJwtKey()}).
 */
public final class TestServer implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final CaServer server;
    private final AdminClient admin;
    private DataStore database;

    private TestServer(CaServer server) {
        this.server = server;
        this.admin = AdminClient.connect(server.adminSocketPath());
    }

    /**
     * The test configuration: loopback, port 0, memory keys, data in {@code dir/data} and the admin
     * socket at {@code dir/admin/api.sock}; change what a test needs before building it.
     */
    public static ServerConfig.Builder config(Path dir) {
        return ServerConfig.builder()
                .dataDir(dir.resolve("data"))
                .bindAddress("127.0.0.1")
                .serverPort(0)
                .socketPath(dir.resolve("admin/api.sock"))
                .keyManager(ServerConfig.KEY_MANAGER_MEMORY);
    }

    /** A server with {@link #config(Path)} as it is. */
    public static TestServer start(Path dir) throws IOException {
        return start(config(dir).build());
    }

    public static TestServer start(ServerConfig config) throws IOException {
        return new TestServer(CaServer.start(config));
    }

    /** The admin API, as the CLI reaches it: over the server's unix socket. */
    public AdminClient admin() {
        return admin;
    }

    public ServerConfig config() {
        return server.config();
    }

    public TrustDomain trustDomain() {
        return server.trustDomain();
    }

    /** The SPIFFE ID on the agent API's certificate. */
    public SpiffeId serverId() {
        return CaServer.serverId(server.trustDomain());
    }

    public int agentApiPort() {
        return server.agentApiPort();
    }

    public Path adminSocketPath() {
        return server.adminSocketPath();
    }

    public Optional<Integer> bundleEndpointPort() {
        return server.bundleEndpointPort();
    }

    public Optional<Integer> istioCaPort() {
        return server.istioCaPort();
    }

    public RegistrationEntry createEntry(RegistrationEntry draft) {
        return admin.createEntry(draft);
    }

    /** An entry with a TTL (zero = server default) and no DNS names. */
    public RegistrationEntry createEntry(
            SpiffeId spiffeId, SpiffeId parentId, SelectorSet selectors, Duration x509SvidTtl) {
        return admin.createEntry(spiffeId, parentId, selectors, x509SvidTtl);
    }

    public void deleteEntry(String entryId) {
        admin.deleteEntry(entryId);
    }

    /** A join token (the secret); with a node alias, also the alias entry selecting the redeeming agent. */
    public String generateJoinToken(Duration ttl, Optional<SpiffeId> nodeAlias) {
        return admin.generateJoinToken(ttl, nodeAlias);
    }

    /** The X.509 authorities of the server's bundle. */
    public List<X509Certificate> trustBundle() {
        return admin.trustBundle();
    }

    /** The PEM of the X.509 authorities: what an agent takes as {@code -trustBundle}. */
    public String trustBundlePem() {
        return admin.trustBundlePem();
    }

    /** The latest revision of the server's change log: it moves with every write the server makes. */
    public long changeLogRevision() {
        return database().changes().currentRevision();
    }

    /**
     * Publishes a new JWT signing key in the server's bundle, as a replica sharing the database
     * prepares one: stored, and so delivered to agents by the watch, but signing nothing here.
     *
     * @return its {@code kid}
     */
    public String publishJwtKey() {
        byte[] random = new byte[24];
        RANDOM.nextBytes(random);
        String kid = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        KeyPair key = Keys.generateEcP256();
        database()
                .bundle()
                .addJwtAuthority(new StoredJwtAuthority(
                        "jwt-" + kid,
                        kid,
                        key.getPublic(),
                        Clock.systemUTC().instant().plus(config().caTtl()),
                        AuthorityStatus.PREPARED,
                        false,
                        Clock.systemUTC().instant()));
        return kid;
    }

    private synchronized DataStore database() {
        if (database == null) {
            ServerConfig config = config();
            database = config.databaseUrl()
                    .map(url -> DataStore.open(url, Clock.systemUTC()))
                    .orElseGet(() -> DataStore.sqlite(config.dataDir(), Clock.systemUTC()));
        }
        return database;
    }

    /** Stops the server; its data stays in the directory (a test may start another on it). */
    @Override
    public synchronized void close() {
        try {
            admin.close();
            if (database != null) {
                database.close();
                database = null;
            }
        } finally {
            server.close();
        }
    }
}
