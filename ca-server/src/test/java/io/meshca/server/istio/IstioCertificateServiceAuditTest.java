package io.meshca.server.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
import io.meshca.server.audit.GroupCommitAuditLog.Mode;
import io.meshca.server.testing.FaultyAuditStore;
import io.meshca.server.testing.InProcessGrpc;
import io.meshca.server.testing.ServerCore;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Istio's CA API with {@code auditWrites: sync}: no certificate goes out without its stored audit row. */
class IstioCertificateServiceAuditTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId CALLER = TD.withPath("/ns/default/sa/web");

    private final FakeClock clock = new FakeClock(Instant.now());

    @RegisterExtension
    final ServerCore core = ServerCore.perTest(TD, clock, Mode.SYNC);

    private InProcessGrpc grpc;

    @BeforeEach
    void setUp() throws Exception {
        IstioCaller caller = new IstioCaller(CALLER, "jwt:test", Optional.empty());
        grpc = InProcessGrpc.start(ServerInterceptors.intercept(
                new IstioCertificateService(
                        core.issuer(),
                        new ValidityPolicy(Duration.ZERO, Duration.ofHours(24)),
                        core.ca()::x509Authorities),
                new ErrorMappingInterceptor(),
                InProcessGrpc.withContext(IstioCaller.CURRENT, caller)));
    }

    @AfterEach
    void tearDown() {
        grpc.close();
    }

    private IstioCertificateResponse createCertificate() {
        return IstioCertificateServiceGrpc.newBlockingStub(grpc.channel())
                .createCertificate(IstioCertificateRequest.newBuilder()
                        .setCsr(Pem.encodeCsr(Csrs.create(TestPki.keyPair())))
                        .build());
    }

    @Test
    void syncAudit_certificateComesWithItsRowStored() {
        IstioCertificateResponse response = createCertificate();

        assertThat(response.getCertChainCount()).isGreaterThanOrEqualTo(2);
        assertThat(core.store().audit().read(0, 10))
                .singleElement()
                .satisfies(row -> assertThat(row.subject()).isEqualTo(CALLER.toString()));
    }

    @Test
    void syncAudit_storeFailure_isUnavailable_withoutACertificate() {
        core.auditStore().failing(true);

        assertThatThrownBy(this::createCertificate).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription())
                    .startsWith("audit row not written")
                    .doesNotContain(FaultyAuditStore.FAULT);
        });
        assertThat(core.store().audit().read(0, 10)).isEmpty();
    }
}
