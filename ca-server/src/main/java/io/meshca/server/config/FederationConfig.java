package io.meshca.server.config;

import io.meshca.server.model.FederationRelationship;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Federation settings: the bundle endpoint this server serves (absent: none) and the relationships
 * configured in the file, each with an optional bundle file to start from. {@code minRefresh} and
 * {@code defaultRefresh} bound how often foreign bundles are fetched (the default applies when a
 * document carries no refresh hint).
 */
public record FederationConfig(
        Endpoint endpoint, List<Configured> relationships, Duration minRefresh, Duration defaultRefresh) {

    public static final Duration DEFAULT_MIN_REFRESH = Duration.ofSeconds(30);
    public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(5);
    public static final FederationConfig NONE =
            new FederationConfig(null, List.of(), DEFAULT_MIN_REFRESH, DEFAULT_REFRESH);

    public FederationConfig {
        relationships = List.copyOf(relationships);
        Objects.requireNonNull(minRefresh, "minRefresh");
        Objects.requireNonNull(defaultRefresh, "defaultRefresh");
        if (minRefresh.isZero() || minRefresh.isNegative() || defaultRefresh.compareTo(minRefresh) < 0) {
            throw new ConfigException("federation refresh intervals must satisfy 0 < min <= default");
        }
    }

    /**
     * The bundle endpoint. With both serving files it is {@code https_web} (that certificate); with
     * neither, {@code https_spiffe} (the server's own X509-SVID). {@code refreshHint} is what the
     * served documents tell consumers.
     */
    public record Endpoint(String address, int port, Path servingCertFile, Path servingKeyFile, Duration refreshHint) {
        public Endpoint {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(refreshHint, "refreshHint");
            if (port < 0 || port > 65535) {
                throw new ConfigException("bundleEndpoint.port out of range: " + port);
            }
            if ((servingCertFile == null) != (servingKeyFile == null)) {
                throw new ConfigException(
                        "bundleEndpoint needs both servingCertFile and servingKeyFile, or neither (https_spiffe)");
            }
        }

        public boolean webProfile() {
            return servingCertFile != null;
        }
    }

    /** A relationship from the config file, with the bundle to start from (PEM or SPIFFE document). */
    public record Configured(FederationRelationship relationship, Path trustDomainBundlePath) {
        public Configured {
            Objects.requireNonNull(relationship, "relationship");
        }

        public Optional<Path> bundlePath() {
            return Optional.ofNullable(trustDomainBundlePath);
        }
    }

    public Optional<Endpoint> bundleEndpoint() {
        return Optional.ofNullable(endpoint);
    }

    public FederationConfig withEndpoint(Endpoint value) {
        return new FederationConfig(value, relationships, minRefresh, defaultRefresh);
    }

    /** The endpoint on another port (the -bundleEndpointPort flag; enables an https_spiffe endpoint if none). */
    public FederationConfig withEndpointPort(int port) {
        Endpoint e = endpoint != null ? endpoint : new Endpoint("0.0.0.0", port, null, null, DEFAULT_REFRESH);
        return withEndpoint(new Endpoint(e.address(), port, e.servingCertFile(), e.servingKeyFile(), e.refreshHint()));
    }
}
