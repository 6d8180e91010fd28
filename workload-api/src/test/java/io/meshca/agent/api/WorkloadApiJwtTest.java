package io.meshca.agent.api;

import static io.meshca.agent.testing.InProcessServices.fixedCaller;
import static io.meshca.agent.testing.InProcessServices.withSecurityHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.agent.jwt.ForgedTokens;
import io.meshca.agent.jwt.JwtSvidCache;
import io.meshca.agent.jwt.JwtSvidFetcher;
import io.meshca.agent.jwt.JwtSvidValidator;
import io.meshca.agent.testing.FakeWorkloadIdentitySource;
import io.meshca.agent.testing.InProcessServices;
import io.meshca.common.bundle.JwtAuthority;
import io.meshca.common.bundle.SpiffeBundleCodec;
import io.meshca.common.grpc.ErrorMappingInterceptor;
import io.meshca.common.spiffe.JwtAudiences;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.testing.FakeClock;
import io.meshca.proto.workload.JWTBundlesRequest;
import io.meshca.proto.workload.JWTBundlesResponse;
import io.meshca.proto.workload.JWTSVIDRequest;
import io.meshca.proto.workload.JWTSVIDResponse;
import io.meshca.proto.workload.SpiffeWorkloadAPIGrpc;
import io.meshca.proto.workload.ValidateJWTSVIDRequest;
import io.meshca.proto.workload.ValidateJWTSVIDResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JWT RPCs in-process: a fake cache, a ca-server stand-in that signs with a test key, a fixed caller. */
class WorkloadApiJwtTest {

    private static final Selector ORDERS = Selector.parse("unix:java-main:io.demo.Orders");
    private static final FakeWorkloadIdentitySource.Pki PKI = FakeWorkloadIdentitySource.pki();

    private final FakeClock clock = new FakeClock(Instant.now());
    private final List<String> mintedFor = new ArrayList<>();
    /** Signs as the server would: sub from the entry (here: the entry id names the path), the key in the bundle. */
    private final JwtSvidFetcher caServer = (entryId, audience) -> {
        mintedFor.add(entryId);
        Map<String, Object> claims = ForgedTokens.claims(clock.instant().getEpochSecond());
        claims.put("sub", "spiffe://example.org" + entryId.substring("entry-".length()));
        claims.put("aud", audience);
        return new JwtSvidFetcher.Token(
                ForgedTokens.es256(ForgedTokens.EC_KID, claims), Instant.ofEpochSecond((Long) claims.get("exp")));
    };

    @RegisterExtension
    final InProcessServices services = new InProcessServices();

    private FakeWorkloadIdentitySource source;

    private static X509Snapshot snapshot(IssuedSvid... svids) {
        TrustBundle own = new TrustBundle(
                FakeWorkloadIdentitySource.DOMAIN,
                List.of(PKI.root().certificate()),
                1,
                ForgedTokens.bundle().jwtAuthorities());
        return new X509Snapshot(List.of(svids), own, Map.of(FakeWorkloadIdentitySource.FEDERATED, PKI.partnerBundle()));
    }

    private SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIBlockingStub start(X509Snapshot snapshot, SelectorSet caller)
            throws Exception {
        source = new FakeWorkloadIdentitySource(ORDERS, snapshot);
        ManagedChannel channel = services.start(ServerInterceptors.intercept(
                new WorkloadApiService(source, new JwtSvidCache(caServer, clock, 100), new JwtSvidValidator(clock)),
                new ErrorMappingInterceptor(),
                fixedCaller(caller),
                new SecurityHeaderInterceptor()));
        return SpiffeWorkloadAPIGrpc.newBlockingStub(channel).withInterceptors(withSecurityHeader());
    }

    private static String firstToken(SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIBlockingStub api, String audience) {
        return api.fetchJWTSVID(
                        JWTSVIDRequest.newBuilder().addAudience(audience).build())
                .getSvids(0)
                .getSvid();
    }

    private static void assertStatus(Runnable call, Status.Code code, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).isEqualTo(message);
        });
    }

    @Test
    void fetchJwtSvid_givesOneTokenPerIdentity_defaultFirst_andReusesItUntilHalfLife() throws Exception {
        var api =
                start(snapshot(PKI.svid("/orders", "internal"), PKI.svid("/orders-admin", "")), SelectorSet.of(ORDERS));

        JWTSVIDResponse first = api.fetchJWTSVID(
                JWTSVIDRequest.newBuilder().addAudience("payments").build());

        assertThat(first.getSvidsList())
                .extracting(s -> s.getSpiffeId())
                .containsExactly("spiffe://example.org/orders", "spiffe://example.org/orders-admin");
        assertThat(first.getSvids(0).getHint()).isEqualTo("internal");
        assertThat(SignedJWT.parse(first.getSvids(0).getSvid())
                        .getJWTClaimsSet()
                        .getAudience())
                .containsExactly("payments");
        JWTSVIDResponse again = api.fetchJWTSVID(
                JWTSVIDRequest.newBuilder().addAudience("payments").build());
        assertThat(again.getSvids(0).getSvid()).isEqualTo(first.getSvids(0).getSvid());
        assertThat(mintedFor).hasSize(2);

        clock.advance(Duration.ofSeconds(150));
        JWTSVIDResponse renewed = api.fetchJWTSVID(
                JWTSVIDRequest.newBuilder().addAudience("payments").build());
        assertThat(mintedFor).hasSize(4);
        assertThat(renewed.getSvids(0).getSpiffeId()).isEqualTo("spiffe://example.org/orders");
    }

    @Test
    void fetchJwtSvid_withSpiffeId_givesOnlyThatIdentity_andRefusesOneNotEntitled() throws Exception {
        var api = start(snapshot(PKI.svid("/orders", ""), PKI.svid("/orders-admin", "")), SelectorSet.of(ORDERS));

        JWTSVIDResponse one = api.fetchJWTSVID(JWTSVIDRequest.newBuilder()
                .addAudience("payments")
                .setSpiffeId("spiffe://example.org/orders-admin")
                .build());

        assertThat(one.getSvidsList())
                .extracting(s -> s.getSpiffeId())
                .containsExactly("spiffe://example.org/orders-admin");
        assertStatus(
                () -> api.fetchJWTSVID(JWTSVIDRequest.newBuilder()
                        .addAudience("payments")
                        .setSpiffeId("spiffe://example.org/payments")
                        .build()),
                Status.Code.PERMISSION_DENIED,
                "no identity issued for spiffe://example.org/payments");
        assertStatus(
                () -> api.fetchJWTSVID(JWTSVIDRequest.newBuilder()
                        .addAudience("payments")
                        .setSpiffeId("nope")
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "invalid spiffe_id: invalid SPIFFE ID \"nope\": scheme is missing or invalid: "
                        + "a SPIFFE ID starts with spiffe://");
    }

    @Test
    void fetchJwtSvid_withoutAudience_isInvalidArgument_andWithoutIdentity_permissionDenied() throws Exception {
        var api = start(snapshot(PKI.svid("/orders", "")), SelectorSet.of(Selector.parse("unix:uid:4242")));

        assertStatus(
                () -> api.fetchJWTSVID(JWTSVIDRequest.getDefaultInstance()),
                Status.Code.INVALID_ARGUMENT,
                "audience must be specified");
        assertStatus(
                () -> api.fetchJWTSVID(
                        JWTSVIDRequest.newBuilder().addAudience("payments").build()),
                Status.Code.PERMISSION_DENIED,
                "no identity issued");
        assertThat(mintedFor).isEmpty();
    }

    @Test
    void fetchJwtSvid_beyondTheAudienceBounds_isRefusedBeforeTheServerIsAsked() throws Exception {
        var api = start(snapshot(PKI.svid("/orders", "")), SelectorSet.of(ORDERS));

        assertStatus(
                () -> api.fetchJWTSVID(JWTSVIDRequest.newBuilder()
                        .addAllAudience(Collections.nCopies(JwtAudiences.MAX_COUNT + 1, "payments"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "at most 32 audiences per JWT-SVID, got 33");
        assertStatus(
                () -> api.fetchJWTSVID(JWTSVIDRequest.newBuilder()
                        .addAudience("x".repeat(JwtAudiences.MAX_LENGTH + 1))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "an audience is at most 256 characters, got one of 257");
        assertStatus(
                () -> api.fetchJWTSVID(JWTSVIDRequest.newBuilder()
                        .addAudience("payments")
                        .addAudience(" ")
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                JwtAudiences.EMPTY);
        assertThat(mintedFor).isEmpty();

        api.fetchJWTSVID(JWTSVIDRequest.newBuilder()
                .addAllAudience(Collections.nCopies(JwtAudiences.MAX_COUNT, "y".repeat(JwtAudiences.MAX_LENGTH)))
                .build());
        assertThat(mintedFor).hasSize(1);
    }

    @Test
    void fetchJwtBundles_isAJwksPerTrustDomain() throws Exception {
        var api = start(snapshot(PKI.svid("/orders", "")), SelectorSet.of(ORDERS));

        JWTBundlesResponse bundles =
                api.fetchJWTBundles(JWTBundlesRequest.getDefaultInstance()).next();

        assertThat(bundles.getBundlesMap()).containsOnlyKeys("spiffe://example.org", "spiffe://partner.org");
        var own = SpiffeBundleCodec.parse(
                FakeWorkloadIdentitySource.DOMAIN,
                bundles.getBundlesOrThrow("spiffe://example.org").toString(StandardCharsets.UTF_8));
        assertThat(own.jwtAuthorities())
                .containsExactlyElementsOf(ForgedTokens.bundle().jwtAuthorities());
        assertThat(bundles.getBundlesOrThrow("spiffe://partner.org").toStringUtf8())
                .isEqualTo("{\"keys\":[]}");
    }

    @Test
    void fetchJwtBundles_sendsANewMessageWhenTheJwtKeysChange_notWhenAnSvidRotates() throws Exception {
        var api = start(snapshot(PKI.svid("/orders", "")), SelectorSet.of(ORDERS));
        var stream = api.fetchJWTBundles(JWTBundlesRequest.getDefaultInstance());
        assertThat(stream.next().getBundlesOrThrow("spiffe://example.org").toStringUtf8())
                .contains(ForgedTokens.EC_KID);

        source.publish(snapshot(PKI.svid("/orders", ""))); // a rotated SVID: the bundles are the same
        var added = new ArrayList<>(ForgedTokens.bundle().jwtAuthorities());
        added.add(new JwtAuthority("next-key", ForgedTokens.OTHER_EC.getPublic()));
        TrustBundle withNext = new TrustBundle(
                FakeWorkloadIdentitySource.DOMAIN, List.of(PKI.root().certificate()), 2, added);
        source.publish(new X509Snapshot(List.of(PKI.svid("/orders", "")), withNext, Map.of()));

        JWTBundlesResponse next = stream.next();
        assertThat(next.getBundlesOrThrow("spiffe://example.org").toStringUtf8())
                .contains("\"kid\":\"next-key\"");
        assertThat(next.getBundlesMap()).containsOnlyKeys("spiffe://example.org");
    }

    @Test
    void validateJwtSvid_returnsTheSpiffeIdAndClaims() throws Exception {
        var api = start(snapshot(PKI.svid("/orders", "")), SelectorSet.of(ORDERS));
        String token = firstToken(api, "payments");

        ValidateJWTSVIDResponse valid = api.validateJWTSVID(ValidateJWTSVIDRequest.newBuilder()
                .setAudience("payments")
                .setSvid(token)
                .build());

        assertThat(valid.getSpiffeId()).isEqualTo("spiffe://example.org/orders");
        assertThat(valid.getClaims().getFieldsOrThrow("sub").getStringValue()).isEqualTo("spiffe://example.org/orders");
        assertThat(valid.getClaims()
                        .getFieldsOrThrow("aud")
                        .getListValue()
                        .getValues(0)
                        .getStringValue())
                .isEqualTo("payments");
        assertThat(valid.getClaims().getFieldsOrThrow("exp").getNumberValue()).isPositive();
    }

    @Test
    void validateJwtSvid_rejectsSayingWhy() throws Exception {
        var api = start(snapshot(PKI.svid("/orders", "")), SelectorSet.of(ORDERS));
        String token = firstToken(api, "payments");

        assertStatus(
                () -> api.validateJWTSVID(ValidateJWTSVIDRequest.newBuilder()
                        .setAudience("billing")
                        .setSvid(token)
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                JwtSvidValidator.WRONG_AUDIENCE + "\"billing\"");
        assertStatus(
                () -> api.validateJWTSVID(
                        ValidateJWTSVIDRequest.newBuilder().setSvid(token).build()),
                Status.Code.INVALID_ARGUMENT,
                "audience must be specified");
        assertStatus(
                () -> api.validateJWTSVID(ValidateJWTSVIDRequest.newBuilder()
                        .setAudience("payments")
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "svid must be specified");
        assertStatus(
                () -> api.validateJWTSVID(ValidateJWTSVIDRequest.newBuilder()
                        .setAudience("payments")
                        .setSvid(ForgedTokens.unsigned(
                                ForgedTokens.claims(clock.instant().getEpochSecond())))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                JwtSvidValidator.ALG_NONE);
    }
}
