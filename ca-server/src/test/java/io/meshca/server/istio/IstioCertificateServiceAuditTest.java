package io.meshca.server.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.meshca.common.grpc.ErrorMappingInterceptor;
import io.meshca.common.pki.Csrs;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.proto.istio.IstioCertificateRequest;
import io.meshca.proto.istio.IstioCertificateResponse;
import io.meshca.proto.istio.IstioCertificateServiceGrpc;
import io.meshca.server.audit.GroupCommitAuditLog;
import io.meshca.server.audit.GroupCommitAuditLog.Mode;
import io.meshca.server.ca.CaManager;
import io.meshca.server.ca.SvidIssuer;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.ca.signing.X509SvidSigner;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.testing.FaultyAuditStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Istio's CA API with {@code auditWrites: sync}: no certificate goes out without its stored audit row. */
class IstioCertificateServiceAuditTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId CALLER = TD.withPath("/ns/default/sa/web");

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.now());
    private DataStore store;
    private FaultyAuditStore auditStore;
    private GroupCommitAuditLog audit;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        store = DataStore.sqlite(dir, clock);
        auditStore = new FaultyAuditStore(store.audit());
        audit = new GroupCommitAuditLog(auditStore, clock, Mode.SYNC);
        CaManager ca = new CaManager(TD, new MemoryKeyManager(), store.bundle(), Duration.ofHours(24), clock);
        ca.initialize();
        SvidIssuer issuer = new SvidIssuer(
                new X509SvidSigner(ca::activeAuthority, clock), audit, Duration.ofHours(1), Duration.ofHours(1));
        IstioCaller caller = new IstioCaller(CALLER, "jwt:test", Optional.empty());
        ServerInterceptor authenticated = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                return Contexts.interceptCall(
                        Context.current().withValue(IstioCaller.CURRENT, caller), call, headers, next);
            }
        };
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name)
                .directExecutor()
                .addService(ServerInterceptors.intercept(
                        new IstioCertificateService(
                                issuer, new ValidityPolicy(Duration.ZERO, Duration.ofHours(24)), ca::x509Authorities),
                        new ErrorMappingInterceptor(),
                        authenticated))
                .build()
                .start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void tearDown() {
        channel.shutdownNow();
        server.shutdownNow();
        audit.close();
        store.close();
    }

    private IstioCertificateResponse createCertificate() {
        return IstioCertificateServiceGrpc.newBlockingStub(channel)
                .createCertificate(IstioCertificateRequest.newBuilder()
                        .setCsr(Pem.encodeCsr(Csrs.create(TestPki.keyPair())))
                        .build());
    }

    @Test
    void syncAudit_certificateComesWithItsRowStored() {
        IstioCertificateResponse response = createCertificate();

        assertThat(response.getCertChainCount()).isGreaterThanOrEqualTo(2);
        assertThat(store.audit().read(0, 10))
                .singleElement()
                .satisfies(row -> assertThat(row.subject()).isEqualTo(CALLER.toString()));
    }

    @Test
    void syncAudit_storeFailure_isUnavailable_withoutACertificate() {
        auditStore.failing(true);

        assertThatThrownBy(this::createCertificate).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription())
                    .startsWith("audit row not written")
                    .doesNotContain(FaultyAuditStore.FAULT);
        });
        assertThat(store.audit().read(0, 10)).isEmpty();
    }
}
