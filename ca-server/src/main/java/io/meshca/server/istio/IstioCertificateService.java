package io.meshca.server.istio;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.stub.StreamObserver;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.logging.LogSafe;
import io.meshca.common.pki.Pem;
import io.meshca.proto.istio.IstioCertificateRequest;
import io.meshca.proto.istio.IstioCertificateResponse;
import io.meshca.proto.istio.IstioCertificateServiceGrpc;
import io.meshca.server.ca.SvidIssuer;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code istio.v1.auth.IstioCertificateService/CreateCertificate}: signs the CSR's key for the caller's
 * own identity (from {@link IstioCaller}, never from the CSR) and answers the chain istio-agent expects:
 * leaf first, then any intermediates, then the trust bundle's roots with the one that anchors the
 * leaf LAST (istio-agent takes the last element as its root when it has no other source).
 */
public final class IstioCertificateService extends IstioCertificateServiceGrpc.IstioCertificateServiceImplBase {

    public static final String VIA = "istio";
    static final String CLUSTER_ID = "ClusterID";
    private static final int MAX_CSR_PEM_CHARS = 32 * 1024;
    private static final Logger log = LoggerFactory.getLogger(IstioCertificateService.class);

    private final SvidIssuer issuer;
    private final ValidityPolicy validity;
    private final Supplier<List<X509Certificate>> bundle;

    public IstioCertificateService(SvidIssuer issuer, ValidityPolicy validity, Supplier<List<X509Certificate>> bundle) {
        this.issuer = issuer;
        this.validity = validity;
        this.bundle = bundle;
    }

    @Override
    public void createCertificate(IstioCertificateRequest request, StreamObserver<IstioCertificateResponse> response) {
        IstioCaller caller = IstioCaller.current();
        byte[] csr = csrDer(request.getCsr());
        Duration ttl = validity.ttlFor(request.getValidityDuration());
        Optional<String> cluster = clusterId(request.getMetadata())
                .or(() -> caller.clusterIdHeader().map(LogSafe::of));
        List<X509Certificate> issued =
                issuer.issueAuthenticatedSvid(caller.id(), csr, ttl, caller.id().toString(), VIA);
        log.info(
                "Istio certificate issued to {} via {} (cluster {}, serial {}, expires {})",
                caller.id(),
                caller.credential(),
                cluster.orElse("-"),
                issued.get(0).getSerialNumber().toString(16),
                issued.get(0).getNotAfter().toInstant());
        response.onNext(IstioCertificateResponse.newBuilder()
                .addAllCertChain(IstioChain.of(issued, bundle.get()).stream()
                        .map(c -> Pem.encodeCertificates(List.of(c)))
                        .toList())
                .build());
        response.onCompleted();
    }

    /** Exactly one PEM CERTIFICATE REQUEST block and nothing else. */
    static byte[] csrDer(String pem) {
        if (pem.isBlank()) {
            throw new InvalidArgumentException("csr is empty: expected one PEM CERTIFICATE REQUEST block");
        }
        if (pem.length() > MAX_CSR_PEM_CHARS) {
            throw new InvalidArgumentException("csr is longer than " + MAX_CSR_PEM_CHARS + " characters");
        }
        int blocks = countOccurrences(pem, "-----BEGIN ");
        byte[] der = Pem.decodeCsr(pem);
        if (blocks != 1) {
            throw new InvalidArgumentException(
                    "csr must hold exactly one PEM block (CERTIFICATE REQUEST), found " + blocks);
        }
        return der;
    }

    private static int countOccurrences(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    /** The caller chooses this text, so it is made short and printable before it reaches the log. */
    private static Optional<String> clusterId(Struct metadata) {
        Value v = metadata.getFieldsMap().get(CLUSTER_ID);
        return v != null && v.hasStringValue() && !v.getStringValue().isBlank()
                ? Optional.of(LogSafe.of(v.getStringValue()))
                : Optional.empty();
    }
}
