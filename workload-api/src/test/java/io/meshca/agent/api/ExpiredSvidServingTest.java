package io.meshca.agent.api;

import static io.meshca.agent.testing.CacheFixtures.BUNDLE;
import static io.meshca.agent.testing.CacheFixtures.CA;
import static io.meshca.agent.testing.CacheFixtures.entry;
import static io.meshca.agent.testing.CacheFixtures.selectors;
import static io.meshca.agent.testing.CacheFixtures.snapshot;
import static io.meshca.agent.testing.InProcessServices.fixedCaller;
import static io.meshca.agent.testing.InProcessServices.withSecurityHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.agent.cache.AuthorizedEntry;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.cache.SvidCache;
import io.meshca.agent.jwt.JwtSvidCache;
import io.meshca.agent.jwt.JwtSvidFetcher;
import io.meshca.agent.jwt.JwtSvidValidator;
import io.meshca.agent.sds.SdsSettings;
import io.meshca.agent.sds.SecretDiscoveryService;
import io.meshca.agent.testing.EnvoyLikeSdsClient;
import io.meshca.agent.testing.InProcessServices;
import io.meshca.common.grpc.ErrorMappingInterceptor;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.proto.workload.JWTSVIDRequest;
import io.meshca.proto.workload.SpiffeWorkloadAPIGrpc;
import io.meshca.proto.workload.X509SVIDRequest;
import io.meshca.proto.workload.X509SVIDResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An SVID past its NotAfter is handed out by no path: the Workload API's X.509 stream and JWT call and
 * SDS answer a workload whose only SVID expired as one with no identity, over the real cache.
 */
class ExpiredSvidServingTest {

    private static final SelectorSet WORKLOAD = selectors("unix:uid:1000");

    @RegisterExtension
    final InProcessServices services = new InProcessServices();

    private final FakeClock clock = new FakeClock(Instant.now());
    private final SvidCache cache = new SvidCache(BUNDLE, clock);
    private final JwtSvidFetcher server = (entryId, audience) ->
            new JwtSvidFetcher.Token("token", clock.instant().plusSeconds(300));

    @Test
    void workloadWhoseOnlySvidExpired_getsNoIdentity_fromTheX509StreamSdsAndTheJwtCall() throws Exception {
        AuthorizedEntry entry = entry("a", "/web", 1, 1, "unix:uid:1000");
        cache.apply(snapshot(1, entry));
        TestPki.Leaf leaf = CA.leaf(
                entry.spiffeId(),
                clock.instant().minusSeconds(60),
                clock.instant().plusSeconds(60));
        cache.storeSvids(List.of(new IssuedSvid(
                entry.id(), entry.spiffeId(), leaf.chain(), leaf.keyPair().getPrivate(), "")));
        ManagedChannel channel = services.start(
                ServerInterceptors.intercept(
                        new WorkloadApiService(cache, new JwtSvidCache(server, clock, 10), new JwtSvidValidator(clock)),
                        new ErrorMappingInterceptor(),
                        fixedCaller(WORKLOAD),
                        new SecurityHeaderInterceptor()),
                ServerInterceptors.intercept(
                        new SecretDiscoveryService(cache, SdsSettings.DEFAULTS), fixedCaller(WORKLOAD)));
        WorkloadApiServiceTest.Stream<X509SVIDResponse> x509 = new WorkloadApiServiceTest.Stream<>();
        api(channel).fetchX509SVID(X509SVIDRequest.getDefaultInstance(), x509);
        assertThat(x509.next().getSvidsCount()).isEqualTo(1);
        EnvoyLikeSdsClient envoy = EnvoyLikeSdsClient.open(channel, Duration.ofSeconds(5));
        envoy.send(DiscoveryRequest.newBuilder()
                .setTypeUrl("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret")
                .addResourceNames("default")
                .build());
        assertThat(envoy.next().getResourcesCount()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(60));
        cache.dropExpired();

        assertNoIdentity(x509.awaitError());
        assertNoIdentity(envoy.error());
        var blocking = SpiffeWorkloadAPIGrpc.newBlockingStub(channel).withInterceptors(withSecurityHeader());
        assertThatThrownBy(() -> blocking.fetchX509SVID(X509SVIDRequest.getDefaultInstance())
                        .next())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertNoIdentity(e.getStatus()));
        assertThatThrownBy(() -> blocking.fetchJWTSVID(
                        JWTSVIDRequest.newBuilder().addAudience("payments").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertNoIdentity(e.getStatus()));
    }

    private static void assertNoIdentity(Status status) {
        assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(status.getDescription()).isEqualTo(SnapshotStream.NO_IDENTITY);
    }

    private static SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIStub api(ManagedChannel channel) {
        return SpiffeWorkloadAPIGrpc.newStub(channel).withInterceptors(withSecurityHeader());
    }
}
