package io.meshca.agent.sds;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.pki.Pem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a workload is entitled to ({@link X509Snapshot}) as Envoy {@link Secret}s, by SDS resource name.
 * Pure: the same snapshot and names always give equal secrets, in the order asked for, so that a
 * stream can tell a changed secret from an unchanged one by comparing renderings.
 *
 * <ul>
 *   <li>the default SVID name, or an SVID's SPIFFE ID: {@code tls_certificate} with the PEM chain
 *       (leaf first) and the PKCS#8 PEM key;</li>
 *   <li>the default bundle name, or the own trust domain's ID: {@code validation_context.trusted_ca}
 *       with the own roots;</li>
 *   <li>a federated trust domain's ID, or the all-bundles name: the configuration of Envoy's SPIFFE
 *       certificate validator, one trust domain per bundle (own first, then federated by name), or
 *       with {@link SdsSettings#disableSpiffeCertValidation} the same roots concatenated as
 *       {@code trusted_ca}.</li>
 * </ul>
 * A federated bundle without X.509 authorities (only JWT keys) is not an SDS resource: Envoy cannot
 * validate with an empty CA list.
 */
final class SecretRenderer {

    static final String SPIFFE_VALIDATOR = "envoy.tls.cert_validator.spiffe";
    static final String NOT_ENTITLED = "the caller is not entitled to the resource";

    private final SdsSettings settings;

    SecretRenderer(SdsSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The secrets named by {@code names} (duplicates once, in first-asked order), or with no names
     * everything the workload has: each SVID under its SPIFFE ID, then each bundle under its trust
     * domain's ID.
     *
     * @throws InvalidArgumentException naming the first resource the workload does not have
     */
    List<Secret> render(X509Snapshot snapshot, List<String> names) {
        Objects.requireNonNull(snapshot, "snapshot");
        List<String> wanted = names.isEmpty() ? allNames(snapshot) : List.copyOf(new LinkedHashSet<>(names));
        List<Secret> secrets = new ArrayList<>(wanted.size());
        for (String name : wanted) {
            secrets.add(renderOne(snapshot, name)
                    .orElseThrow(() -> new InvalidArgumentException(NOT_ENTITLED + " \"" + name + "\"")));
        }
        return List.copyOf(secrets);
    }

    private static List<String> allNames(X509Snapshot snapshot) {
        List<String> names = new ArrayList<>();
        snapshot.svids().forEach(svid -> names.add(svid.spiffeId().toString()));
        names.add(snapshot.bundle().trustDomain().id().toString());
        federated(snapshot)
                .forEach(bundle -> names.add(bundle.trustDomain().id().toString()));
        // two entries may give the same SPIFFE ID; the first is the one served under that name
        return List.copyOf(new LinkedHashSet<>(names));
    }

    private Optional<Secret> renderOne(X509Snapshot snapshot, String name) {
        if (name.equals(settings.defaultSvidName())) {
            return snapshot.svids().stream().findFirst().map(svid -> tlsCertificate(name, svid));
        }
        if (name.equals(settings.defaultBundleName()) || name.equals(ownDomainId(snapshot))) {
            return Optional.of(trustedCa(name, List.of(snapshot.bundle())));
        }
        if (name.equals(settings.allBundlesName())) {
            List<TrustBundle> all = new ArrayList<>();
            all.add(snapshot.bundle());
            all.addAll(federated(snapshot));
            return Optional.of(validator(name, all));
        }
        Optional<IssuedSvid> svid = snapshot.svids().stream()
                .filter(candidate -> candidate.spiffeId().toString().equals(name))
                .findFirst();
        if (svid.isPresent()) {
            return svid.map(found -> tlsCertificate(name, found));
        }
        return federated(snapshot).stream()
                .filter(bundle -> bundle.trustDomain().id().toString().equals(name))
                .findFirst()
                .map(bundle -> validator(name, List.of(bundle)));
    }

    private static String ownDomainId(X509Snapshot snapshot) {
        return snapshot.bundle().trustDomain().id().toString();
    }

    /** Federated bundles that can validate certificates, by trust domain name. */
    private static List<TrustBundle> federated(X509Snapshot snapshot) {
        return snapshot.federatedBundles().values().stream()
                .filter(bundle -> !bundle.x509Authorities().isEmpty())
                .sorted(Comparator.comparing(bundle -> bundle.trustDomain().name()))
                .toList();
    }

    private static Secret tlsCertificate(String name, IssuedSvid svid) {
        return Secret.newBuilder()
                .setName(name)
                .setTlsCertificate(TlsCertificate.newBuilder()
                        .setCertificateChain(inline(Pem.encodeCertificates(svid.chain())))
                        .setPrivateKey(inline(pkcs8Pem(svid))))
                .build();
    }

    private static String pkcs8Pem(IssuedSvid svid) {
        if (!"PKCS#8".equals(svid.privateKey().getFormat())) {
            throw new IllegalStateException(
                    "SVID key is not PKCS#8-encodable: " + svid.privateKey().getFormat());
        }
        return Pem.encodePrivateKey(svid.privateKey());
    }

    private Secret validator(String name, List<TrustBundle> bundles) {
        if (settings.disableSpiffeCertValidation()) {
            return trustedCa(name, bundles);
        }
        SPIFFECertValidatorConfig.Builder config = SPIFFECertValidatorConfig.newBuilder();
        for (TrustBundle bundle : bundles) {
            config.addTrustDomains(SPIFFECertValidatorConfig.TrustDomain.newBuilder()
                    .setName(bundle.trustDomain().name())
                    .setTrustBundle(inline(Pem.encodeCertificates(bundle.x509Authorities()))));
        }
        return Secret.newBuilder()
                .setName(name)
                .setValidationContext(CertificateValidationContext.newBuilder()
                        .setCustomValidatorConfig(TypedExtensionConfig.newBuilder()
                                .setName(SPIFFE_VALIDATOR)
                                .setTypedConfig(Any.pack(config.build()))))
                .build();
    }

    private static Secret trustedCa(String name, List<TrustBundle> bundles) {
        StringBuilder pem = new StringBuilder();
        bundles.forEach(bundle -> pem.append(Pem.encodeCertificates(bundle.x509Authorities())));
        return Secret.newBuilder()
                .setName(name)
                .setValidationContext(CertificateValidationContext.newBuilder().setTrustedCa(inline(pem.toString())))
                .build();
    }

    private static DataSource inline(String pem) {
        return DataSource.newBuilder()
                .setInlineBytes(ByteString.copyFrom(pem, StandardCharsets.US_ASCII))
                .build();
    }
}
