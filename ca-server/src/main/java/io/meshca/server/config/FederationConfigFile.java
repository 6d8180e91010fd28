package io.meshca.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.meshca.common.config.Durations;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.model.FederationRelationship;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The YAML shape of the federation keys of the server config file:
 * <pre>
 * bundleEndpoint: { address: 0.0.0.0, port: 8443, servingCertFile: f, servingKeyFile: k, refreshHint: 5m }
 * federatesWith:
 *   b.test: { bundleEndpointURL: https://b:8443/, bundleEndpointProfile: https_spiffe,
 *             endpointSpiffeID: spiffe://b.test/meshca/server, trustDomainBundlePath: b.pem }
 *   c.test: { bundleEndpointURL: https://c.example/, bundleEndpointProfile: https_web, trustedCAFile: ca.pem }
 * federationRefresh: { min: 30s, default: 5m }
 * </pre>
 * {@code trustedCAFile} (https_web only) replaces the JDK's trust store for that endpoint.
 */
public final class FederationConfigFile {

    public static final class Endpoint {
        @JsonProperty
        public String address;

        @JsonProperty
        public Integer port;

        @JsonProperty
        public String servingCertFile;

        @JsonProperty
        public String servingKeyFile;

        @JsonProperty
        public String refreshHint;
    }

    public static final class Relationship {
        @JsonProperty("bundleEndpointURL")
        public String bundleEndpointUrl;

        @JsonProperty
        public String bundleEndpointProfile;

        @JsonProperty("endpointSpiffeID")
        public String endpointSpiffeId;

        @JsonProperty
        public String trustDomainBundlePath;

        @JsonProperty("trustedCAFile")
        public String trustedCaFile;
    }

    public static final class Refresh {
        @JsonProperty
        public String min;

        @JsonProperty("default")
        public String fallback;
    }

    private FederationConfigFile() {}

    static FederationConfig apply(
            FederationConfig base, Endpoint endpoint, Map<String, Relationship> federatesWith, Refresh refresh) {
        FederationConfig out = base;
        if (endpoint != null) {
            out = out.withEndpoint(new FederationConfig.Endpoint(
                    endpoint.address == null ? "0.0.0.0" : endpoint.address,
                    endpoint.port == null ? 8443 : endpoint.port,
                    path(endpoint.servingCertFile),
                    path(endpoint.servingKeyFile),
                    endpoint.refreshHint == null
                            ? FederationConfig.DEFAULT_REFRESH
                            : Durations.parse("bundleEndpoint.refreshHint", endpoint.refreshHint)));
        }
        List<FederationConfig.Configured> relationships = new ArrayList<>(out.relationships());
        if (federatesWith != null) {
            federatesWith.forEach((name, r) -> relationships.add(relationship(name, r)));
        }
        return new FederationConfig(
                out.endpoint(),
                relationships,
                refresh != null && refresh.min != null
                        ? Durations.parsePositive("federationRefresh.min", refresh.min)
                        : out.minRefresh(),
                refresh != null && refresh.fallback != null
                        ? Durations.parse("federationRefresh.default", refresh.fallback)
                        : out.defaultRefresh());
    }

    private static FederationConfig.Configured relationship(String name, Relationship r) {
        String where = "federatesWith." + name;
        if (r == null || r.bundleEndpointUrl == null) {
            throw new ConfigException(where + ".bundleEndpointURL is required");
        }
        try {
            FederationRelationship rel = new FederationRelationship(
                    TrustDomain.parse(name),
                    URI.create(r.bundleEndpointUrl),
                    FederationRelationship.Profile.parse(
                            r.bundleEndpointProfile == null ? "https_web" : r.bundleEndpointProfile),
                    r.endpointSpiffeId == null ? null : SpiffeId.parse(r.endpointSpiffeId),
                    path(r.trustedCaFile));
            return new FederationConfig.Configured(rel, path(r.trustDomainBundlePath));
        } catch (InvalidArgumentException | IllegalArgumentException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
    }

    private static Path path(String text) {
        return text == null ? null : Path.of(text);
    }
}
