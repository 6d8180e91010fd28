package io.meshca.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.meshca.common.config.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The YAML shape of the {@code istioCa} block of the server config file (docs/istio.md):
 * <pre>
 * istioCa:
 *   address: 0.0.0.0                                # default
 *   port: 15012                                     # default; 0 = a free port
 *   servingDnsNames: [meshca.meshca-system.svc]
 *   defaultTtl: 24h                                 # default: the server's defaultX509SvidTtl
 *   maxTtl: 48h                                     # default: 90d
 *   trustedIssuers:
 *     - issuer: https://kubernetes.default.svc.cluster.local
 *       jwksFile: /etc/meshca/k8s-jwks.json         # or jwksURL: https://... (exactly one)
 *       audiences: [istio-ca]                       # default
 * </pre>
 */
public final class IstioCaConfigFile {

    @JsonProperty
    public String address;

    @JsonProperty
    public Integer port;

    @JsonProperty
    public List<String> servingDnsNames;

    @JsonProperty
    public String defaultTtl;

    @JsonProperty
    public String maxTtl;

    @JsonProperty
    public List<Issuer> trustedIssuers;

    public static final class Issuer {
        @JsonProperty
        public String issuer;

        @JsonProperty
        public String jwksFile;

        @JsonProperty("jwksURL")
        public String jwksUrl;

        @JsonProperty
        public List<String> audiences;
    }

    IstioCaConfig toConfig() {
        List<IstioCaConfig.TrustedIssuer> issuers = new ArrayList<>();
        if (trustedIssuers != null) {
            for (Issuer i : trustedIssuers) {
                if (i == null) {
                    throw new ConfigException("istioCa.trustedIssuers has an empty element");
                }
                issuers.add(new IstioCaConfig.TrustedIssuer(
                        i.issuer,
                        i.jwksFile == null ? null : Path.of(i.jwksFile),
                        uri(i.issuer, i.jwksUrl),
                        i.audiences == null ? IstioCaConfig.DEFAULT_AUDIENCES : i.audiences));
            }
        }
        return new IstioCaConfig(
                address == null ? IstioCaConfig.DEFAULT_ADDRESS : address,
                port == null ? IstioCaConfig.DEFAULT_PORT : port,
                servingDnsNames == null ? List.of() : servingDnsNames,
                defaultTtl == null ? Duration.ZERO : Durations.parse("istioCa.defaultTtl", defaultTtl),
                maxTtl == null ? IstioCaConfig.DEFAULT_MAX_TTL : Durations.parsePositive("istioCa.maxTtl", maxTtl),
                issuers);
    }

    private static URI uri(String issuer, String text) {
        if (text == null) {
            return null;
        }
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException("istioCa.trustedIssuers[" + issuer + "].jwksURL is not a URL: " + e.getMessage());
        }
    }
}
