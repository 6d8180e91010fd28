package io.meshca.agent.client;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.server.v1.X509Svid;
import java.security.cert.X509Certificate;
import java.util.List;

/** The server's {@code X509Svid} message → the SVID's certificate chain; throws on malformed input. */
final class SvidProtos {

    private SvidProtos() {}

    /** The chain of an SVID, leaf first; it must carry the SPIFFE ID the server says it does. */
    static List<X509Certificate> fromProto(X509Svid svid) {
        List<X509Certificate> chain = svid.getCertChainList().stream()
                .map(der -> Certificates.parse(der.toByteArray()))
                .toList();
        if (chain.isEmpty()) {
            throw new InvalidArgumentException("the server sent an SVID without certificates");
        }
        SpiffeId expected = SpiffeId.parse(svid.getSpiffeId());
        SpiffeId actual = Certificates.spiffeId(chain.get(0))
                .orElseThrow(() -> new InvalidArgumentException("the server sent an SVID without a SPIFFE ID"));
        if (!actual.equals(expected)) {
            throw new InvalidArgumentException("the server sent an SVID for " + actual + " labelled " + expected);
        }
        return chain;
    }
}
