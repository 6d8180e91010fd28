package io.meshca.server.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The listener for Istio's CA API ({@code istio.v1.auth.IstioCertificateService}), which istio-agent
 * calls when {@code CA_ADDR} points at meshca. Absent from {@link ServerConfig}: no listener.
 *
 * @param servingDnsNames DNS SANs of the serving certificate (istio-agent checks the hostname it dials)
 * @param defaultTtl used when a request asks for no validity; zero means the server's default X509-SVID TTL
 * @param maxTtl the longest validity a request may ask for; more is refused, not clamped (as istiod does)
 * @param trustedIssuers whose Kubernetes service-account tokens authenticate callers; may be empty
 *     (then only callers with a meshca X509-SVID get in)
 */
public record IstioCaConfig(
        String address,
        int port,
        List<String> servingDnsNames,
        Duration defaultTtl,
        Duration maxTtl,
        List<TrustedIssuer> trustedIssuers) {

    public static final String DEFAULT_ADDRESS = "0.0.0.0";
    public static final int DEFAULT_PORT = 15012;
    /** Istio's own default ceiling (MAX_WORKLOAD_CERT_TTL); istio-agent asks for 24h unless told otherwise. */
    public static final Duration DEFAULT_MAX_TTL = Duration.ofDays(90);

    public static final List<String> DEFAULT_AUDIENCES = List.of("istio-ca");

    /** A DNS name or a left-most wildcard label; no scheme, port or spaces. */
    private static final Pattern DNS_NAME = Pattern.compile(
            "^(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$");

    public IstioCaConfig {
        Objects.requireNonNull(address, "address");
        servingDnsNames = List.copyOf(Objects.requireNonNull(servingDnsNames, "servingDnsNames"));
        Objects.requireNonNull(defaultTtl, "defaultTtl");
        Objects.requireNonNull(maxTtl, "maxTtl");
        trustedIssuers = List.copyOf(Objects.requireNonNull(trustedIssuers, "trustedIssuers"));
        if (address.isBlank()) {
            throw new ConfigException("istioCa.address is empty");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("istioCa.port must be between 0 and 65535, got " + port);
        }
        if (servingDnsNames.isEmpty()) {
            throw new ConfigException("istioCa.servingDnsNames needs at least one DNS name: istio-agent verifies the "
                    + "hostname of CA_ADDR against the serving certificate");
        }
        for (String name : servingDnsNames) {
            if (name == null || name.length() > 253 || !DNS_NAME.matcher(name).matches()) {
                throw new ConfigException("istioCa.servingDnsNames: \"" + name + "\" is not a DNS name");
            }
        }
        if (defaultTtl.isNegative()) {
            throw new ConfigException("istioCa.defaultTtl must not be negative, got " + defaultTtl);
        }
        if (maxTtl.isZero() || maxTtl.isNegative()) {
            throw new ConfigException("istioCa.maxTtl must be positive, got " + maxTtl);
        }
        if (defaultTtl.compareTo(maxTtl) > 0) {
            throw new ConfigException(
                    "istioCa.defaultTtl (" + defaultTtl + ") is longer than istioCa.maxTtl (" + maxTtl + ")");
        }
        Set<String> issuers = new HashSet<>();
        for (TrustedIssuer t : trustedIssuers) {
            if (!issuers.add(t.issuer())) {
                throw new ConfigException("istioCa.trustedIssuers: issuer " + t.issuer() + " is listed twice");
            }
        }
    }

    /** The default TTL, if one is configured (otherwise the server's default X509-SVID TTL applies). */
    public Optional<Duration> configuredDefaultTtl() {
        return defaultTtl.isZero() ? Optional.empty() : Optional.of(defaultTtl);
    }

    /**
     * An issuer of Kubernetes service-account tokens: its {@code iss}, where its signing keys are (a JWKS
     * file read at start, or an HTTPS URL fetched and cached), and the audiences a token must carry one of.
     */
    public record TrustedIssuer(String issuer, Path jwksFile, URI jwksUrl, List<String> audiences) {
        public TrustedIssuer {
            if (issuer == null || issuer.isBlank()) {
                throw new ConfigException("istioCa.trustedIssuers[].issuer is required");
            }
            String where = "istioCa.trustedIssuers[" + issuer + "]";
            if ((jwksFile == null) == (jwksUrl == null)) {
                throw new ConfigException(where + " needs exactly one of jwksFile and jwksURL");
            }
            if (jwksUrl != null && (!"https".equalsIgnoreCase(jwksUrl.getScheme()) || jwksUrl.getHost() == null)) {
                throw new ConfigException(where + ".jwksURL must be an https:// URL, got " + jwksUrl);
            }
            audiences = List.copyOf(Objects.requireNonNull(audiences, "audiences"));
            if (audiences.isEmpty() || audiences.stream().anyMatch(a -> a == null || a.isBlank())) {
                throw new ConfigException(where + ".audiences must list at least one non-empty audience");
            }
        }

        public Optional<Path> jwksFilePath() {
            return Optional.ofNullable(jwksFile);
        }

        public Optional<URI> jwksUri() {
            return Optional.ofNullable(jwksUrl);
        }
    }
}
