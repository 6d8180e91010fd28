package io.meshca.agent.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.meshca.common.pki.Pem;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;

/** Reads what an SDS response carries, as Envoy would: the secret, its leaf, its trusted CAs. */
public final class SdsSecrets {

    private SdsSecrets() {}

    /** The first resource of the response, as a Secret. */
    public static Secret secret(DiscoveryResponse response) {
        try {
            return response.getResources(0).unpack(Secret.class);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    /** The leaf of a TLS certificate secret (an SVID). */
    public static X509Certificate leaf(DiscoveryResponse response) {
        return Pem.decodeCertificates(secret(response)
                        .getTlsCertificate()
                        .getCertificateChain()
                        .getInlineBytes()
                        .toString(StandardCharsets.US_ASCII))
                .get(0);
    }

    /** The CAs of a validation context secret (a bundle). */
    public static List<X509Certificate> trustedCa(DiscoveryResponse response) {
        return Pem.decodeCertificates(secret(response)
                .getValidationContext()
                .getTrustedCa()
                .getInlineBytes()
                .toString(StandardCharsets.US_ASCII));
    }
}
