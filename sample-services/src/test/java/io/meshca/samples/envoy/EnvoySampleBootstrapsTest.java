package io.meshca.samples.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.meshca.agent.config.AgentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample sidecar bootstraps parse as Envoy v3 (no unknown or misspelt field) and say what the docs
 * claim: payments' sidecar requires a client certificate whose URI SAN is the orders SPIFFE ID, orders'
 * sidecar accepts only the payments SPIFFE ID, and every secret comes over SDS v3 from the agent's socket.
 */
class EnvoySampleBootstrapsTest {

    static final String ORDERS = "spiffe://example.org/orders";
    static final String PAYMENTS = "spiffe://example.org/payments";
    static final String ROOTCA = "ROOTCA";
    static final String SDS_CLUSTER = "meshca_agent";

    @Test
    void paymentsSidecar_requiresAClientCertificate_fromOrdersOnly() throws Exception {
        Bootstrap bootstrap = EnvoyBootstraps.load(EnvoyBootstraps.PAYMENTS_SIDECAR);

        assertThat(bootstrap.getStaticResources().getListenersList()).hasSize(1);
        Listener listener = bootstrap.getStaticResources().getListeners(0);
        assertThat(listener.getAddress().getSocketAddress().getPortValue()).isEqualTo(9443);
        assertThat(listener.getFilterChainsList()).hasSize(1);
        DownstreamTlsContext tls = listener.getFilterChains(0)
                .getTransportSocket()
                .getTypedConfig()
                .unpack(DownstreamTlsContext.class);

        assertThat(tls.getRequireClientCertificate().getValue()).isTrue();
        assertPresentsAndAccepts(tls.getCommonTlsContext(), PAYMENTS, ORDERS);

        TcpProxy proxy =
                listener.getFilterChains(0).getFilters(0).getTypedConfig().unpack(TcpProxy.class);
        assertThat(proxy.getCluster()).isEqualTo("payments_local");
        Address payments = onlyEndpoint(cluster(bootstrap, "payments_local"));
        assertThat(payments.getSocketAddress().getAddress()).isEqualTo("127.0.0.1");
        assertThat(payments.getSocketAddress().getPortValue()).isEqualTo(9080);
    }

    @Test
    void ordersEgress_presentsTheOrdersSvid_andAcceptsOnlyPayments() throws Exception {
        Bootstrap bootstrap = EnvoyBootstraps.load(EnvoyBootstraps.ORDERS_EGRESS);

        Listener listener = bootstrap.getStaticResources().getListeners(0);
        assertThat(listener.getAddress().getSocketAddress().getAddress())
                .as("the plaintext side must stay on loopback")
                .isEqualTo("127.0.0.1");
        assertThat(listener.getFilterChains(0).hasTransportSocket()).isFalse();
        TcpProxy proxy =
                listener.getFilterChains(0).getFilters(0).getTypedConfig().unpack(TcpProxy.class);

        Cluster upstream = cluster(bootstrap, proxy.getCluster());
        UpstreamTlsContext tls = upstream.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
        assertPresentsAndAccepts(tls.getCommonTlsContext(), ORDERS, PAYMENTS);
        assertThat(onlyEndpoint(upstream).getSocketAddress().getPortValue())
                .as("the payments sidecar's port")
                .isEqualTo(9443);
    }

    @Test
    void bothSidecars_fetchSecretsFromTheAgentSocket_overSdsV3Only() throws Exception {
        for (Path yaml : List.of(EnvoyBootstraps.PAYMENTS_SIDECAR, EnvoyBootstraps.ORDERS_EGRESS)) {
            Bootstrap bootstrap = EnvoyBootstraps.load(yaml);

            Cluster agent = cluster(bootstrap, SDS_CLUSTER);
            assertThat(onlyEndpoint(agent).getPipe().getPath())
                    .as(yaml.toString())
                    .isEqualTo(AgentConfig.DEFAULT_SOCKET_PATH.toString());
            HttpProtocolOptions http = agent.getTypedExtensionProtocolOptionsOrThrow(
                            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
                    .unpack(HttpProtocolOptions.class);
            assertThat(http.getExplicitHttpConfig().hasHttp2ProtocolOptions())
                    .as("gRPC needs HTTP/2")
                    .isTrue();

            List<ConfigSource> sources = configSources(bootstrap);
            assertThat(sources)
                    .as(yaml + ": certificate and validation context")
                    .hasSize(2);
            for (ConfigSource source : sources) {
                assertThat(source.getResourceApiVersion()).isEqualTo(ApiVersion.V3);
                ApiConfigSource api = source.getApiConfigSource();
                assertThat(api.getApiType()).isEqualTo(ApiConfigSource.ApiType.GRPC);
                assertThat(api.getTransportApiVersion()).isEqualTo(ApiVersion.V3);
                assertThat(api.getGrpcServicesList())
                        .singleElement()
                        .satisfies(grpc ->
                                assertThat(grpc.getEnvoyGrpc().getClusterName()).isEqualTo(SDS_CLUSTER));
            }
        }
    }

    @Test
    void aMisspeltField_isRejected_naming_it(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("typo.yaml");
        Files.writeString(
                yaml,
                Files.readString(EnvoyBootstraps.PAYMENTS_SIDECAR)
                        .replace("require_client_certificate: true", "require_client_certificates: true"));

        assertThatThrownBy(() -> EnvoyBootstraps.load(yaml))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("require_client_certificates");
    }

    @Test
    void theJsonGivenToARealEnvoy_parsesBackToTheSameBootstrap(@TempDir Path dir) throws Exception {
        Bootstrap sample = EnvoyBootstraps.load(EnvoyBootstraps.PAYMENTS_SIDECAR);
        Path json = dir.resolve("payments-sidecar.json");
        Files.writeString(json, EnvoyBootstraps.toJson(sample));

        assertThat(Files.readString(json)).contains("\"require_client_certificate\": true");
        assertThat(EnvoyBootstraps.load(json)).isEqualTo(sample);
    }

    private static void assertPresentsAndAccepts(CommonTlsContext tls, String ownId, String peerId) {
        assertThat(tls.getTlsCertificatesList())
                .as("no inline certificate or key")
                .isEmpty();
        assertThat(tls.getTlsCertificateSdsSecretConfigsList())
                .extracting(SdsSecretConfig::getName)
                .containsExactly(ownId);
        assertThat(tls.getCombinedValidationContext()
                        .getValidationContextSdsSecretConfig()
                        .getName())
                .isEqualTo(ROOTCA);
        List<SubjectAltNameMatcher> sans =
                tls.getCombinedValidationContext().getDefaultValidationContext().getMatchTypedSubjectAltNamesList();
        assertThat(sans).singleElement().satisfies(san -> {
            assertThat(san.getSanType()).isEqualTo(SubjectAltNameMatcher.SanType.URI);
            assertThat(san.getMatcher().getExact()).isEqualTo(peerId);
        });
    }

    private static Cluster cluster(Bootstrap bootstrap, String name) {
        return bootstrap.getStaticResources().getClustersList().stream()
                .filter(cluster -> cluster.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no cluster " + name));
    }

    private static Address onlyEndpoint(Cluster cluster) {
        assertThat(cluster.getLoadAssignment().getEndpointsList()).hasSize(1);
        assertThat(cluster.getLoadAssignment().getEndpoints(0).getLbEndpointsList())
                .hasSize(1);
        return cluster.getLoadAssignment()
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress();
    }

    /** Every ConfigSource anywhere in the bootstrap, including inside typed_config Anys. */
    private static List<ConfigSource> configSources(Message root) throws InvalidProtocolBufferException {
        List<ConfigSource> found = new ArrayList<>();
        collect(root, found);
        return found;
    }

    private static void collect(Message message, List<ConfigSource> found) throws InvalidProtocolBufferException {
        Descriptor type = message.getDescriptorForType();
        if (type.equals(ConfigSource.getDescriptor())) {
            found.add(ConfigSource.parseFrom(message.toByteString()));
            return;
        }
        if (type.equals(Any.getDescriptor())) {
            Any any = Any.parseFrom(message.toByteString());
            String typeName = any.getTypeUrl().substring(any.getTypeUrl().lastIndexOf('/') + 1);
            Descriptor packed = EnvoyBootstraps.TYPES.find(typeName);
            assertThat(packed).as("type registered: " + typeName).isNotNull();
            collect(DynamicMessage.parseFrom(packed, any.getValue()), found);
            return;
        }
        for (var field : message.getAllFields().entrySet()) {
            if (field.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            if (field.getKey().isRepeated()) {
                for (Object element : (List<?>) field.getValue()) {
                    collect((Message) element, found);
                }
            } else {
                collect((Message) field.getValue(), found);
            }
        }
    }
}
