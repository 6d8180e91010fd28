package io.meshca.agent.sds;

import static io.meshca.agent.testing.InProcessServices.fixedCaller;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.secret.v3.SecretDiscoveryServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.agent.api.WorkloadAttestationInterceptor;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.agent.testing.EnvoyLikeSdsClient;
import io.meshca.agent.testing.FakeWorkloadIdentitySource;
import io.meshca.agent.testing.InProcessServices;
import io.meshca.agent.testing.SdsSecrets;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.testing.TestPki;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The service in-process over a fake cache: pushes, waiting, denial and unsubscribing, without sockets. */
class SecretDiscoveryServiceTest {

    private static final Selector ENVOY = Selector.parse("unix:uid:1337");
    private static final FakeWorkloadIdentitySource.Pki PKI = FakeWorkloadIdentitySource.pki();
    private static final Duration QUIET = Duration.ofMillis(200);

    @RegisterExtension
    final InProcessServices services = new InProcessServices();

    @Test
    void callerMatchingNoEntry_isPermissionDenied_andUnsubscribed() throws Exception {
        FakeWorkloadIdentitySource source = new FakeWorkloadIdentitySource(ENVOY, PKI.snapshot(PKI.svid("/web", "")));
        EnvoyLikeSdsClient stream = open(start(source, SelectorSet.of(Selector.parse("unix:uid:4242"))), "ROOTCA");

        Status status = stream.error();
        assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(status.getDescription()).isEqualTo(SecretStream.NO_IDENTITY);
        assertThat(source.subscriberCount()).isZero();
    }

    @Test
    void callerWhoseSvidIsStillBeingSigned_waitsForIt_onStreamAndFetch() throws Exception {
        IssuedSvid svid = PKI.svid("/web", "");
        X509Snapshot signed = PKI.snapshot(svid);
        FakeWorkloadIdentitySource source =
                new FakeWorkloadIdentitySource(ENVOY, new X509Snapshot(List.of(), signed.bundle(), Map.of(), 1));
        ManagedChannel sds = start(source, SelectorSet.of(ENVOY));
        EnvoyLikeSdsClient stream = open(sds, "default");
        BlockingQueue<Object> fetched = new LinkedBlockingQueue<>();
        SecretDiscoveryServiceGrpc.newStub(sds).fetchSecrets(request("", "default"), EnvoyLikeSdsClient.into(fetched));

        assertThat(stream.poll(QUIET))
                .as("nothing while the SVID is being signed")
                .isNull();
        assertThat(fetched.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)).isNull();
        assertThat(source.subscriberCount()).isEqualTo(2);

        source.publish(signed);
        assertThat(SdsSecrets.leaf(stream.next())).isEqualTo(svid.leaf());
        assertThat(SdsSecrets.leaf((DiscoveryResponse) fetched.poll(5, TimeUnit.SECONDS)))
                .isEqualTo(svid.leaf());
        assertThat(fetched.poll(5, TimeUnit.SECONDS)).isEqualTo(EnvoyLikeSdsClient.COMPLETED);
        assertThat(source.subscriberCount()).as("the fetch unsubscribed").isEqualTo(1);
    }

    @Test
    void changes_arePushedOnlyToTheStreamsWhoseSecretsChanged() throws Exception {
        IssuedSvid svid = PKI.svid("/web", "");
        FakeWorkloadIdentitySource source = new FakeWorkloadIdentitySource(ENVOY, PKI.snapshot(svid));
        ManagedChannel sds = start(source, SelectorSet.of(ENVOY));
        EnvoyLikeSdsClient certificate = open(sds, "default");
        EnvoyLikeSdsClient rootCa = open(sds, "ROOTCA");
        EnvoyLikeSdsClient all = open(sds, "ALL");
        DiscoveryResponse certificateFirst = certificate.next();
        certificate.send(ack(certificateFirst, "default"));
        rootCa.send(ack(rootCa.next(), "ROOTCA"));
        all.send(ack(all.next(), "ALL"));

        // rotation: only the certificate changes
        IssuedSvid rotated = PKI.svid("/web", "");
        source.publish(PKI.snapshot(rotated));
        DiscoveryResponse pushed = certificate.next();
        assertThat(SdsSecrets.leaf(pushed)).isEqualTo(rotated.leaf());
        assertThat(pushed.getVersionInfo()).isNotEqualTo(certificateFirst.getVersionInfo());
        assertThat(rootCa.poll(QUIET)).isNull();
        assertThat(all.poll(QUIET)).isNull();

        // a new root in the own bundle: ROOTCA and ALL change, the certificate does not
        TestPki.Authority nextRoot = TestPki.root(FakeWorkloadIdentitySource.DOMAIN);
        TrustBundle twoRoots = new TrustBundle(
                FakeWorkloadIdentitySource.DOMAIN, List.of(PKI.root().certificate(), nextRoot.certificate()), 2);
        source.publish(new X509Snapshot(
                List.of(rotated), twoRoots, Map.of(FakeWorkloadIdentitySource.FEDERATED, PKI.partnerBundle())));
        assertThat(SdsSecrets.trustedCa(rootCa.next()))
                .containsExactly(PKI.root().certificate(), nextRoot.certificate());
        assertThat(all.next().getResourcesCount()).isEqualTo(1);
        assertThat(certificate.poll(QUIET)).isNull();
    }

    @Test
    void aSubscribedSvidThatGoesAway_endsTheStreamNamingIt() throws Exception {
        IssuedSvid web = PKI.svid("/web", "");
        IssuedSvid admin = PKI.svid("/admin", "");
        FakeWorkloadIdentitySource source = new FakeWorkloadIdentitySource(ENVOY, PKI.snapshot(web, admin));
        EnvoyLikeSdsClient stream = open(start(source, SelectorSet.of(ENVOY)), "spiffe://example.org/admin");
        stream.send(ack(stream.next(), "spiffe://example.org/admin"));

        source.publish(PKI.snapshot(web));

        Status status = stream.error();
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).contains("spiffe://example.org/admin");
        assertThat(source.subscriberCount()).isZero();
    }

    @Test
    void cancellingTheStream_closesTheSubscription() throws Exception {
        FakeWorkloadIdentitySource source = new FakeWorkloadIdentitySource(ENVOY, PKI.snapshot(PKI.svid("/web", "")));
        EnvoyLikeSdsClient stream = open(start(source, SelectorSet.of(ENVOY)), "default");
        stream.next();
        assertThat(source.subscriberCount()).isEqualTo(1);

        stream.close();

        assertThat(source.subscriberCount()).isZero();
    }

    @Test
    void sdsEndpoint_needsNoSecurityHeader_butAnAttestableCaller() throws Exception {
        FakeWorkloadIdentitySource source = new FakeWorkloadIdentitySource(ENVOY, PKI.snapshot(PKI.svid("/web", "")));
        ManagedChannel channel =
                services.start(SdsEndpoint.service(source, pid -> SelectorSet.of(ENVOY), SdsSettings.DEFAULTS));

        // in-process calls have no kernel peer: refused by attestation, not by a header check
        assertThatThrownBy(() ->
                        SecretDiscoveryServiceGrpc.newBlockingStub(channel).fetchSecrets(request("", "default")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).isEqualTo(WorkloadAttestationInterceptor.NO_PEER);
                });
        assertThat(source.subscriberCount()).isZero();
    }

    private ManagedChannel start(FakeWorkloadIdentitySource source, SelectorSet callerSelectors) {
        return services.start(ServerInterceptors.intercept(
                new SecretDiscoveryService(source, SdsSettings.DEFAULTS), fixedCaller(callerSelectors)));
    }

    private static EnvoyLikeSdsClient open(ManagedChannel channel, String name) {
        EnvoyLikeSdsClient stream = EnvoyLikeSdsClient.open(channel, Duration.ofSeconds(5));
        stream.send(request("", name));
        return stream;
    }

    private static DiscoveryRequest request(String nonce, String... names) {
        return DiscoveryRequest.newBuilder()
                .setTypeUrl(XdsStreamState.SECRET_TYPE_URL)
                .setResponseNonce(nonce)
                .addAllResourceNames(List.of(names))
                .build();
    }

    private static DiscoveryRequest ack(DiscoveryResponse response, String... names) {
        return request(response.getNonce(), names).toBuilder()
                .setVersionInfo(response.getVersionInfo())
                .build();
    }
}
