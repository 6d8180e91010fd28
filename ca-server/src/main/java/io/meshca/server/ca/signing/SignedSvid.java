package io.meshca.server.ca.signing;

import io.meshca.common.pki.Certificates;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A freshly signed X509-SVID as the wire wants it: DER, leaf first, then the CA's upstream chain. The
 * hot path (agent batches) sends these bytes as they are; parsing them back into X509Certificate
 * objects cost as much as building the certificate, so only callers that need objects ask for them.
 */
public record SignedSvid(byte[] leafDer, BigInteger serial, Instant notAfter, List<byte[]> chainTailDer) {

    public SignedSvid {
        chainTailDer = List.copyOf(chainTailDer);
    }

    /** Leaf first, then the upstream chain, each as DER. */
    public List<byte[]> chainDer() {
        List<byte[]> chain = new ArrayList<>(1 + chainTailDer.size());
        chain.add(leafDer);
        chain.addAll(chainTailDer);
        return chain;
    }

    /** The chain as certificate objects (parses every element). */
    public List<X509Certificate> certificates() {
        return Certificates.parseAll(chainDer());
    }
}
