package io.meshca.samples.envoy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Reads the sample Envoy bootstraps (sample-services/envoy/*.yaml) into Envoy's own v3 protos, the way
 * Envoy does: YAML is turned into JSON and parsed by protobuf's JSON parser, which rejects any field
 * the proto does not have and any {@code @type} it cannot resolve.
 */
final class EnvoyBootstraps {

    static final Path DIR = Path.of("envoy");
    static final Path PAYMENTS_SIDECAR = DIR.resolve("payments-sidecar.yaml");
    static final Path ORDERS_EGRESS = DIR.resolve("orders-egress.yaml");

    /** Every type the samples put in an {@code Any}; a typed_config of another type fails to parse. */
    static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
            .add(TcpProxy.getDescriptor())
            .add(DownstreamTlsContext.getDescriptor())
            .add(UpstreamTlsContext.getDescriptor())
            .add(HttpProtocolOptions.getDescriptor())
            .build();

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    private EnvoyBootstraps() {}

    static Bootstrap load(Path yaml) {
        try {
            String json = JSON.writeValueAsString(YAML.readTree(yaml.toFile()));
            Bootstrap.Builder bootstrap = Bootstrap.newBuilder();
            // the default parser fails on unknown fields, like Envoy's own loader
            JsonFormat.parser().usingTypeRegistry(TYPES).merge(json, bootstrap);
            return bootstrap.build();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(yaml + " is not a valid Envoy v3 bootstrap: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + yaml, e);
        }
    }

    /** The bootstrap as JSON with Envoy's snake_case field names, which Envoy reads from a file named {@code *.json}. */
    static String toJson(Bootstrap bootstrap) {
        try {
            return JsonFormat.printer()
                    .usingTypeRegistry(TYPES)
                    .preservingProtoFieldNames()
                    .print(bootstrap);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print the bootstrap: " + e.getMessage(), e);
        }
    }
}
