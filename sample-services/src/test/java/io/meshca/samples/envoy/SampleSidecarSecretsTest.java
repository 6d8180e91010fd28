package io.meshca.samples.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.secret.v3.SecretDiscoveryServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.samples.testing.InProcessMesh;
import io.meshca.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the sample sidecars would get, without Docker: every SDS resource name their bootstraps ask for
 * is fetched from a real agent over its unix socket, as Envoy does (no Workload API header), and is a
 * secret of the right kind — the certificate a chain whose leaf carries the named SPIFFE ID, ROOTCA the
 * server's roots as trusted_ca. The real Envoy is exercised by {@link EnvoySidecarContainerTest}.
 */
class SampleSidecarSecretsTest {

    private static final SpiffeId NODE = SpiffeId.parse("spiffe://example.org/node/envoy-samples");
    private static final String TYPE_URL = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static InProcessMesh mesh;
    private static TestServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void startServerAndAgent() throws Exception {
        mesh = InProcessMesh.start(dir, NODE);
        server = mesh.server();
        SelectorSet thisUid = InProcessMesh.thisUid();
        server.createEntry(SpiffeId.parse(EnvoySampleBootstrapsTest.ORDERS), NODE, thisUid, Duration.ofMinutes(5));
        server.createEntry(SpiffeId.parse(EnvoySampleBootstrapsTest.PAYMENTS), NODE, thisUid, Duration.ofMinutes(5));
        channel = UnixSockets.channel(mesh.agent().socketPath());
    }

    @AfterAll
    static void stop() {
        if (channel != null) {
            UnixSockets.shutdown(channel);
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    static Stream<Path> sampleBootstraps() {
        return Stream.of(EnvoyBootstraps.PAYMENTS_SIDECAR, EnvoyBootstraps.ORDERS_EGRESS);
    }

    @ParameterizedTest
    @MethodSource("sampleBootstraps")
    void everySecretASampleAsksFor_isServedByTheAgent(Path yaml) throws Exception {
        List<CommonTlsContext> contexts = tlsContexts(EnvoyBootstraps.load(yaml));
        assertThat(contexts).as(yaml.toString()).hasSize(1);
        CommonTlsContext tls = contexts.get(0);
        String certificateName = tls.getTlsCertificateSdsSecretConfigs(0).getName();
        String bundleName = tls.getCombinedValidationContext()
                .getValidationContextSdsSecretConfig()
                .getName();

        List<Secret> secrets = awaitSecrets(List.of(certificateName, bundleName));

        assertThat(secrets).extracting(Secret::getName).containsExactly(certificateName, bundleName);
        List<X509Certificate> chain = Pem.decodeCertificates(secrets.get(0)
                .getTlsCertificate()
                .getCertificateChain()
                .getInlineBytes()
                .toString(StandardCharsets.US_ASCII));
        assertThat(Certificates.spiffeId(chain.get(0))).contains(SpiffeId.parse(certificateName));
        assertThat(secrets.get(0)
                        .getTlsCertificate()
                        .getPrivateKey()
                        .getInlineBytes()
                        .toStringUtf8())
                .startsWith("-----BEGIN PRIVATE KEY-----");
        List<X509Certificate> roots = Pem.decodeCertificates(secrets.get(1)
                .getValidationContext()
                .getTrustedCa()
                .getInlineBytes()
                .toString(StandardCharsets.US_ASCII));
        assertThat(roots).containsExactlyInAnyOrderElementsOf(server.trustBundle());
    }

    /** The TLS contexts of listeners (downstream) and clusters (upstream) that take secrets over SDS. */
    private static List<CommonTlsContext> tlsContexts(Bootstrap bootstrap) throws InvalidProtocolBufferException {
        List<CommonTlsContext> contexts = new ArrayList<>();
        for (Listener listener : bootstrap.getStaticResources().getListenersList()) {
            for (FilterChain chain : listener.getFilterChainsList()) {
                if (chain.hasTransportSocket()) {
                    contexts.add(unpack(chain.getTransportSocket(), DownstreamTlsContext.class)
                            .getCommonTlsContext());
                }
            }
        }
        for (Cluster cluster : bootstrap.getStaticResources().getClustersList()) {
            if (cluster.hasTransportSocket()) {
                contexts.add(unpack(cluster.getTransportSocket(), UpstreamTlsContext.class)
                        .getCommonTlsContext());
            }
        }
        return contexts;
    }

    private static <T extends Message> T unpack(TransportSocket socket, Class<T> type)
            throws InvalidProtocolBufferException {
        return socket.getTypedConfig().unpack(type);
    }

    /** FetchSecrets until the agent has the SVIDs (PERMISSION_DENIED until the entries arrive, no answer while signing). */
    private static List<Secret> awaitSecrets(List<String> names) throws Exception {
        DiscoveryRequest request = DiscoveryRequest.newBuilder()
                .setTypeUrl(TYPE_URL)
                .setNode(Node.newBuilder().setId("sample-sidecar"))
                .addAllResourceNames(names)
                .build();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        StatusRuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                DiscoveryResponse response = SecretDiscoveryServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .fetchSecrets(request);
                List<Secret> secrets = new ArrayList<>();
                for (Any resource : response.getResourcesList()) {
                    secrets.add(resource.unpack(Secret.class));
                }
                return secrets;
            } catch (StatusRuntimeException e) {
                // only "not yet": a name the agent refuses (INVALID_ARGUMENT) fails at once
                if (e.getStatus().getCode() != Status.Code.PERMISSION_DENIED
                        && e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
                    throw e;
                }
                last = e;
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        throw new AssertionError("no secrets " + names + " within " + DEADLINE, last);
    }
}
