package io.meshca.server.ca.signing;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

/**
 * A freshly signed X509-SVID as the wire wants it: the leaf's DER, then the CA's upstream chain as DER.
 * The hot path (agent batches) sends these bytes as they are; parsing each leaf back into an
 * X509Certificate cost as much as building it.
 */
public record SignedSvid(byte[] leafDer, BigInteger serial, Instant notAfter, List<byte[]> chainTailDer) {

    public SignedSvid {
        chainTailDer = List.copyOf(chainTailDer);
    }
}
