package io.meshca.server.testing;

import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.audit.AuditSpool;
import io.meshca.server.audit.GroupCommitAuditLog;
import io.meshca.server.audit.GroupCommitAuditLog.Mode;
import io.meshca.server.ca.CaManager;
import io.meshca.server.ca.SvidIssuer;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.ca.signing.X509SvidSigner;
import io.meshca.server.ca.upstream.SelfSignedAuthority;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.model.RegistrationEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The server's core as CaServer wires it, for the in-process tests of the services: a real SQLite
 * datastore in a directory of its own, the audit log (over a {@link FaultyAuditStore}, so a test can
 * make its writes fail), a CA with memory keys (24 h) and the SVID issuer (1 h for workloads and
 * agents). A JUnit extension: register it with {@code @RegisterExtension} and each test gets a fresh
 * core, opened before its {@code @BeforeEach} methods and closed after its {@code @AfterEach} ones.
 */
public final class ServerCore implements BeforeEachCallback, AfterEachCallback {

    /** The selector of the entries {@link #entry} creates. */
    public static final Selector WORKLOAD_SELECTOR = Selector.parse("unix:uid:1");

    private final TrustDomain trustDomain;
    private final Clock clock;
    private final Mode auditMode;
    private Path dir;
    private DataStore store;
    private FaultyAuditStore auditStore;
    private GroupCommitAuditLog audit;
    private CaManager ca;
    private SvidIssuer issuer;

    private ServerCore(TrustDomain trustDomain, Clock clock, Mode auditMode) {
        this.trustDomain = trustDomain;
        this.clock = clock;
        this.auditMode = auditMode;
    }

    /** With the default {@code auditWrites: async}. */
    public static ServerCore perTest(TrustDomain trustDomain, Clock clock) {
        return perTest(trustDomain, clock, Mode.ASYNC);
    }

    public static ServerCore perTest(TrustDomain trustDomain, Clock clock, Mode auditMode) {
        return new ServerCore(trustDomain, clock, auditMode);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("meshca-server-core");
        store = DataStore.sqlite(dir, clock);
        auditStore = new FaultyAuditStore(store.audit());
        audit = new GroupCommitAuditLog(auditStore, auditSpool(), clock, auditMode);
        ca = new CaManager(
                trustDomain,
                new MemoryKeyManager(),
                new SelfSignedAuthority(clock),
                store.bundle(),
                Duration.ofHours(24),
                clock);
        ca.initialize();
        issuer = new SvidIssuer(
                new X509SvidSigner(ca::activeAuthority, clock), audit, Duration.ofHours(1), Duration.ofHours(1));
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            audit.close();
        } finally {
            store.close();
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** The audit spool in this core's directory, as the server keeps it in its data dir. */
    public AuditSpool auditSpool() {
        return AuditSpool.in(dir);
    }

    public TrustDomain trustDomain() {
        return trustDomain;
    }

    /** The SPIFFE ID of this trust domain's server. */
    public SpiffeId serverId() {
        return trustDomain.withPath("/meshca/server");
    }

    public Clock clock() {
        return clock;
    }

    public DataStore store() {
        return store;
    }

    /** The audit log's store; {@link FaultyAuditStore#failing} makes its writes fail. */
    public FaultyAuditStore auditStore() {
        return auditStore;
    }

    public GroupCommitAuditLog audit() {
        return audit;
    }

    public CaManager ca() {
        return ca;
    }

    public SvidIssuer issuer() {
        return issuer;
    }

    /** Stores an entry at {@code path} of the trust domain under {@code parent}, selecting {@link #WORKLOAD_SELECTOR}. */
    public RegistrationEntry entry(String path, SpiffeId parent) {
        return store.entries()
                .create(RegistrationEntry.draft(trustDomain.withPath(path), parent, SelectorSet.of(WORKLOAD_SELECTOR)));
    }

    /**
     * An agent attested by join token just now, with an SVID valid for an hour; not stored (see
     * {@link #storeAgent}).
     */
    public AgentRecord agent(SpiffeId id, Selector selector) {
        return new AgentRecord(
                id,
                "join_token",
                "1",
                clock.instant().plusSeconds(3600),
                false,
                SelectorSet.of(selector),
                clock.instant(),
                clock.instant());
    }

    /** Stores the agent as attested; returns it. */
    public AgentRecord storeAgent(AgentRecord agent) {
        store.agents().upsert(agent);
        return agent;
    }
}
