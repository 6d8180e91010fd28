package io.meshca.server.model;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the bundle of a foreign trust domain is fetched and how its endpoint is authenticated.
 * {@code endpointSpiffeId} is required for (and only meaningful with) {@code https_spiffe}, and must
 * be in the foreign trust domain: its bundle is what authenticates the endpoint. {@code trustedCaFile}
 * (https_web only, may be null) replaces the JDK's default trust store.
 */
public record FederationRelationship(
        TrustDomain trustDomain,
        URI bundleEndpointUrl,
        Profile profile,
        SpiffeId endpointSpiffeId,
        Path trustedCaFile) {

    /** The two bundle endpoint profiles of the SPIFFE Trust Domain and Bundle standard. */
    public enum Profile {
        HTTPS_WEB,
        HTTPS_SPIFFE;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Profile parse(String text) {
            for (Profile p : values()) {
                if (p.configName().equals(text)) {
                    return p;
                }
            }
            throw new InvalidArgumentException(
                    "unknown bundle endpoint profile \"" + text + "\" (https_web or https_spiffe)");
        }
    }

    public FederationRelationship {
        Objects.requireNonNull(trustDomain, "trustDomain");
        Objects.requireNonNull(bundleEndpointUrl, "bundleEndpointUrl");
        Objects.requireNonNull(profile, "profile");
        if (!"https".equalsIgnoreCase(bundleEndpointUrl.getScheme()) || bundleEndpointUrl.getHost() == null) {
            throw new InvalidArgumentException(
                    "bundle endpoint URL must be https://host[:port]/...: " + bundleEndpointUrl);
        }
        if (profile == Profile.HTTPS_SPIFFE) {
            if (endpointSpiffeId == null) {
                throw new InvalidArgumentException("https_spiffe needs the endpoint's SPIFFE ID (-endpointSpiffeID)");
            }
            if (!endpointSpiffeId.trustDomain().equals(trustDomain)) {
                throw new InvalidArgumentException(
                        "endpoint SPIFFE ID " + endpointSpiffeId + " is not in trust domain " + trustDomain);
            }
            if (trustedCaFile != null) {
                throw new InvalidArgumentException("a trusted CA file applies to https_web only");
            }
        } else if (endpointSpiffeId != null) {
            throw new InvalidArgumentException("an endpoint SPIFFE ID applies to https_spiffe only");
        }
    }

    public Optional<SpiffeId> endpointId() {
        return Optional.ofNullable(endpointSpiffeId);
    }

    public Optional<Path> caFile() {
        return Optional.ofNullable(trustedCaFile);
    }
}
