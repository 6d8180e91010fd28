package io.meshca.server;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.meshca.common.config.Durations;
import io.meshca.common.files.DataDir;
import io.meshca.common.grpc.ErrorMappingInterceptor;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.tls.SpiffeAuthorizers;
import io.meshca.common.tls.SpiffeSslContexts;
import io.meshca.common.tls.SpiffeTrustManager;
import io.meshca.common.tls.SvidKeyManager;
import io.meshca.server.agents.AgentCache;
import io.meshca.server.agents.AgentManager;
import io.meshca.server.api.AgentService;
import io.meshca.server.api.BatchSigner;
import io.meshca.server.api.JwtSvidBatch;
import io.meshca.server.api.NodeAttestationService;
import io.meshca.server.api.WatchSessions;
import io.meshca.server.api.admin.AdminClient;
import io.meshca.server.api.admin.AdminSocket;
import io.meshca.server.api.admin.AgentsService;
import io.meshca.server.api.admin.BundlesService;
import io.meshca.server.api.admin.EntriesService;
import io.meshca.server.api.admin.FederationService;
import io.meshca.server.api.admin.JoinTokensService;
import io.meshca.server.api.admin.LocalAuthorityService;
import io.meshca.server.api.admin.LoggerService;
import io.meshca.server.api.admin.SvidsService;
import io.meshca.server.api.admin.UpstreamAuthorityService;
import io.meshca.server.api.admission.SigningAdmission;
import io.meshca.server.api.interceptor.AdminAuditInterceptor;
import io.meshca.server.api.interceptor.AgentIdentityInterceptor;
import io.meshca.server.attestation.node.JoinTokenIssuer;
import io.meshca.server.attestation.node.JoinTokens;
import io.meshca.server.audit.AuditSpool;
import io.meshca.server.audit.GroupCommitAuditLog;
import io.meshca.server.ca.AuthorityRotator;
import io.meshca.server.ca.CaManager;
import io.meshca.server.ca.RenewingTlsIdentity;
import io.meshca.server.ca.SvidIssuer;
import io.meshca.server.ca.jwt.JwtKeySlots;
import io.meshca.server.ca.jwt.JwtSvidIssuer;
import io.meshca.server.ca.jwt.JwtSvidMinter;
import io.meshca.server.ca.keys.KeyManager;
import io.meshca.server.ca.signing.X509SvidSigner;
import io.meshca.server.changes.ChangeFeed;
import io.meshca.server.config.ServerConfig;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.federation.FederationRuntime;
import io.meshca.server.health.ServerHealth;
import io.meshca.server.istio.IstioCaRuntime;
import io.meshca.server.logging.RootLogLevel;
import io.meshca.server.model.Change;
import io.meshca.server.plugin.ServerCatalog;
import io.meshca.server.plugin.ServerPluginContext;
import io.meshca.server.plugin.ServerPlugins;
import io.meshca.server.registration.AgentAuthorizer;
import io.meshca.server.registration.AuthorizedEntriesSync;
import io.meshca.server.registration.EntryValidator;
import io.meshca.server.registration.Registrar;
import io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of ca-server: the only place that picks implementations and wires them. Start
 * with {@link #start(ServerConfig)}; {@link #close()} stops everything and frees the port and socket.
 * It tells where it listens and nothing of what it wired: programs and tests drive a running server
 * through its admin API ({@link AdminClient}), as an operator does.
 */
public final class CaServer implements AutoCloseable {

    /** The most frequent client keepalive the agent API accepts, in seconds (agents ping every 30 s). */
    static final long AGENT_KEEPALIVE_MIN = 20;

    /**
     * The largest message the agent API accepts. Its largest request is an agent's CSR batch: 100 CSRs
     * (the agent's batch size) of P-256 keys with their entry IDs measure 23 KB; JWT-SVID requests
     * are bounded by the audience limits (under 9 KB), attestation and renewal carry one CSR. 1 MiB leaves
     * room for larger batches or keys while keeping what an unauthenticated peer (attestation runs before
     * the agent has an SVID) can make the server buffer per call well below gRPC's 4 MiB default.
     */
    public static final int AGENT_API_MAX_REQUEST_BYTES = 1024 * 1024;

    /**
     * Calls one agent connection may have open at once. An agent holds one watch, at most one batch
     * signing and one renewal at a time, plus a JWT-SVID mint per workload fetch in progress: 16 leaves
     * room for those. What is beyond waits in the agent's channel (HTTP/2 MAX_CONCURRENT_STREAMS), not
     * in the server's memory: with a limit per connection, what a storm of agents makes the server
     * receive and parse at once is bounded by the number of connections.
     */
    static final int AGENT_API_MAX_CALLS_PER_CONNECTION = 16;

    private static final Logger log = LoggerFactory.getLogger(CaServer.class);
    /**
     * How often the change feed reads the log with no wake-up: only against a lost notification, as the
     * server's own commits and PostgreSQL's notifications wake it at once. One indexed read per server.
     */
    public static final Duration CHANGE_FEED_SAFETY_POLL = Duration.ofSeconds(5);

    /** How often renewals issued while the datastore was away are tried again (a no-op when none wait). */
    static final Duration RECORD_RENEWALS_INTERVAL = Duration.ofSeconds(5);

    public static final Duration SERVER_SVID_TTL = Duration.ofHours(1);

    private final ServerConfig config;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private Server agentApi;
    private AdminSocket adminSocket;
    private ServerHealth health;
    private FederationRuntime federation;
    private IstioCaRuntime istioCa;
    private volatile boolean closed;

    private CaServer(ServerConfig config) {
        this.config = config;
    }

    /** Starts a server: datastore, CA, agent API on TCP and admin API on the unix socket. */
    public static CaServer start(ServerConfig config) throws IOException {
        CaServer server = new CaServer(config);
        try {
            server.startAll();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void startAll() throws IOException {
        // Checks before side effects: the admin socket's check changes nothing, and the data dir's
        // stops a second server on it, or a dir others can read, before any database or key is touched.
        AdminSocket.checkAvailable(config.socketPath());
        DataDir dataDir = DataDir.open(config.dataDir(), "server", "-dataDir");
        closeables.push(dataDir);
        if (config.caTtl().compareTo(ServerConfig.WARN_CA_TTL) < 0) {
            log.warn(
                    "caTtl is {}: the X.509 CA rotates every few minutes; fine for demos and tests, not production",
                    Durations.format(config.caTtl()));
        }
        TrustDomain td = config.trustDomain();
        SpiffeId serverId = serverId(td);
        var clock = config.clock();

        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, daemon("meshca-scheduler"));
        closeables.push(() -> shutdown(scheduler));
        int cores = Runtime.getRuntime().availableProcessors();
        ExecutorService signingPool = Executors.newFixedThreadPool(cores, daemon("meshca-signer"));
        closeables.push(() -> shutdown(signingPool));

        DataStore dataStore = config.databaseUrl()
                .map(url -> DataStore.open(url, clock))
                .orElseGet(() -> DataStore.sqlite(dataDir.path(), clock));
        closeables.push(dataStore);
        health = new ServerHealth();
        dataStore.status().addListener(health::datastoreAvailable);
        health.datastoreAvailable(dataStore.status().isAvailable());
        ServerMemory memory = ServerMemory.load(dataStore);
        closeables.push(memory);
        GroupCommitAuditLog.Mode auditMode = config.auditWrites();
        GroupCommitAuditLog audit =
                new GroupCommitAuditLog(dataStore.audit(), AuditSpool.in(dataDir.path()), clock, auditMode);
        closeables.push(audit);
        log.info(
                auditMode == GroupCommitAuditLog.Mode.SYNC
                        ? "audit writes: sync (each issuance waits for its audit row to commit, and fails if it cannot)"
                        : "audit writes: async (audit rows are queued and group-committed in the background)");

        JoinTokens joinTokens = new JoinTokens(td, dataStore.joinTokens(), clock);
        AgentCache agentCache = memory.agents();
        ServerPlugins plugins = ServerCatalog.load(
                config.plugins(),
                new ServerPluginContext(
                        td,
                        config.dataDir(),
                        clock,
                        joinTokens,
                        id -> agentCache.get(id).isPresent()));
        KeyManager keys = plugins.keyManager();
        CaManager ca = new CaManager(td, keys, plugins.upstreamAuthority(), dataStore.bundle(), config.caTtl(), clock);
        JwtKeySlots jwtKeys = new JwtKeySlots(
                keys, dataStore.bundle(), config.jwtKeyType(), config.caTtl(), clock, ca::journalChanged);
        jwtKeys.initialize();
        ca.initialize();
        AuthorityRotator rotator = new AuthorityRotator(ca, List.of(ca.x509Slots(), jwtKeys), clock, health::caValid);
        rotator.start(scheduler, AuthorityRotator.checkInterval(config.caTtl()));
        closeables.push(rotator);
        JwtSvidIssuer jwtIssuer =
                new JwtSvidIssuer(new JwtSvidMinter(jwtKeys::current, clock), audit, config.defaultJwtSvidTtl());
        X509SvidSigner signer = new X509SvidSigner(ca::activeAuthority, clock);
        SvidIssuer issuer = new SvidIssuer(signer, audit, config.defaultX509SvidTtl(), config.agentSvidTtl());

        EntryValidator validator = new EntryValidator(td);
        Registrar registrar = new Registrar(validator, dataStore.entries());
        JoinTokenIssuer tokenIssuer =
                new JoinTokenIssuer(joinTokens, registrar, validator, serverId, config.joinTokenTtl());
        // Its own thread: recording a renewal may wait for a connection while the database is going away.
        ScheduledExecutorService renewalRecorder =
                Executors.newSingleThreadScheduledExecutor(daemon("meshca-renewal-recorder"));
        closeables.push(() -> shutdown(renewalRecorder));
        AgentManager agentManager = new AgentManager(
                plugins.nodeAttestors(), dataStore.agents(), memory.agents(), issuer, audit, clock, renewalRecorder);
        renewalRecorder.scheduleWithFixedDelay(
                agentManager::recordRenewals,
                RECORD_RENEWALS_INTERVAL.toMillis(),
                RECORD_RENEWALS_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);

        // Half the CA lifetime at most, as for any SVID: a short-lived CA must not cut the server's own short.
        Duration serverSvidTtl = min(SERVER_SVID_TTL, config.caTtl().dividedBy(2));
        RenewingTlsIdentity identity =
                new RenewingTlsIdentity("server SVID", serverId, List.of(), signer, serverSvidTtl, clock, scheduler);
        identity.start();
        closeables.push(identity);
        ca.onTaint(identity::renewNow);
        federation = FederationRuntime.start(
                config.federation(),
                td,
                dataStore.federation(),
                dataStore.federatedBundles(),
                ca,
                identity::current,
                clock);
        closeables.push(federation);

        ChangeFeed feed = memory.follow(
                List.of(
                        ChangeFeed.Stage.onKind(Change.Kind.BUNDLE, changes -> ca.refreshBundle(), ca::refreshBundle),
                        ChangeFeed.Stage.onKind(
                                Change.Kind.FEDERATION,
                                changes -> federation.relationshipsChanged(changes.stream()
                                        .map(c -> TrustDomain.parse(c.objectId()))
                                        .toList()),
                                federation::rescheduleAll)),
                CHANGE_FEED_SAFETY_POLL,
                scheduler,
                clock);
        AgentAuthorizer authorizer = new AgentAuthorizer(serverId, memory.entries(), clock, feed::catchUpNow);
        WatchSessions watches = new WatchSessions(
                new AuthorizedEntriesSync(authorizer, memory.entries(), feed.recent()),
                agentManager,
                ca,
                feed,
                scheduler,
                dataStore.federatedBundles()::get);
        if (config.istioCa().isPresent()) {
            istioCa = IstioCaRuntime.start(
                    config.istioCa().get(),
                    td,
                    serverId,
                    signer,
                    issuer,
                    ca::x509Authorities,
                    serverSvidTtl,
                    clock,
                    scheduler);
            closeables.push(istioCa);
            ca.onTaint(istioCa::renewServingCertificate);
        }

        SigningAdmission admission = new SigningAdmission(config.signingQueueSize(), clock);
        log.info(
                "signing queue: {} CSRs queued or being signed at most, {} more for agent SVID renewals",
                config.signingQueueSize(),
                SigningAdmission.renewalReserve(config.signingQueueSize()));
        var isAgent = SpiffeAuthorizers.pathUnder(td, "/meshca/agent");
        var tls = SpiffeSslContexts.server(
                new SvidKeyManager(identity::current),
                new SpiffeTrustManager(ca::x509Authorities, isAgent, clock),
                ClientAuth.OPTIONAL);
        agentApi = NettyServerBuilder.forAddress(new InetSocketAddress(config.bindAddress(), config.serverPort()))
                .sslContext(tls)
                // Agents ping every 30 s so that a dead server (or a silently dropped connection) ends
                // their watch in seconds rather than at the TCP timeout; gRPC's default policy would
                // answer such pings with GOAWAY too_many_pings.
                .permitKeepAliveTime(AGENT_KEEPALIVE_MIN, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .maxInboundMessageSize(AGENT_API_MAX_REQUEST_BYTES)
                .maxConcurrentCallsPerConnection(AGENT_API_MAX_CALLS_PER_CONNECTION)
                .intercept(new ErrorMappingInterceptor())
                .addService(new NodeAttestationService(agentManager, ca, admission, scheduler))
                .addService(ServerInterceptors.intercept(
                        new AgentService(
                                agentManager,
                                new BatchSigner(authorizer, issuer, signingPool, cores, admission),
                                watches,
                                new JwtSvidBatch(authorizer, jwtIssuer, admission),
                                admission),
                        new AgentIdentityInterceptor(agentManager, isAgent, clock)))
                .build();
        try {
            agentApi.start();
        } catch (IOException e) {
            throw new IOException(
                    "cannot listen on " + config.bindAddress() + ":" + config.serverPort() + ": " + e.getMessage(), e);
        }
        closeables.push(() -> stopServer(agentApi));
        // Closed before the agent API (closing pops in reverse): open watch streams end at once instead of
        // holding the server's graceful shutdown until its timeout.
        closeables.push(watches);

        List<BindableService> admin = List.of(
                new EntriesService(registrar),
                new AgentsService(agentManager),
                new BundlesService(ca, federation.bundles()),
                new FederationService(federation.federation()),
                new JoinTokensService(tokenIssuer),
                new SvidsService(jwtIssuer, issuer, ca, td),
                new LocalAuthorityService(ca.x509Slots(), jwtKeys),
                new UpstreamAuthorityService(ca.upstreamRoots()),
                new LoggerService(RootLogLevel.ofLogback()));
        adminSocket = AdminSocket.start(
                config.socketPath(),
                admin,
                List.of(health.service().bindService()),
                new AdminAuditInterceptor(audit, "admin:local"));
        closeables.push(adminSocket);
        log.info(
                "meshca server for trust domain {} listening on {}:{} (agent API, TLS 1.3) and {} (admin)",
                td,
                config.bindAddress(),
                agentApiPort(),
                config.socketPath());
    }

    /** The SPIFFE ID of the server of {@code td}: what agents expect on the agent API's certificate. */
    public static SpiffeId serverId(TrustDomain td) {
        return td.withPath("/meshca/server");
    }

    public ServerConfig config() {
        return config;
    }

    /** The bound TCP port of the agent API (the real one when the config asked for port 0). */
    public int agentApiPort() {
        return agentApi.getPort();
    }

    public Path adminSocketPath() {
        return adminSocket.path();
    }

    public TrustDomain trustDomain() {
        return config.trustDomain();
    }

    /** The bound port of the SPIFFE bundle endpoint, if one is configured. */
    public Optional<Integer> bundleEndpointPort() {
        return federation.endpointPort();
    }

    /** The bound port of Istio's CA API, if {@code istioCa} is configured. */
    public Optional<Integer> istioCaPort() {
        return Optional.ofNullable(istioCa).map(IstioCaRuntime::port);
    }

    /** Blocks until the agent API terminates (after {@link #close()}, e.g. from a shutdown hook). */
    public void awaitTermination() throws InterruptedException {
        agentApi.awaitTermination();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (health != null) {
            health.stop();
        }
        while (!closeables.isEmpty()) {
            try {
                closeables.pop().close();
            } catch (Exception e) {
                log.warn("error while shutting down", e);
            }
        }
        log.info("meshca server stopped");
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void stopServer(Server server) throws InterruptedException {
        server.shutdown();
        if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void shutdown(ExecutorService executor) throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
