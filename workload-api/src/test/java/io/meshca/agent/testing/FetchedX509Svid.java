package io.meshca.agent.testing;

import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.workload.X509SVID;
import io.meshca.proto.workload.X509SVIDResponse;
import java.security.cert.X509Certificate;
import java.util.List;

/** An X509-SVID as a workload receives it from the Workload API: its SPIFFE ID and chain, leaf first. */
public record FetchedX509Svid(SpiffeId spiffeId, List<X509Certificate> chain) {

    public FetchedX509Svid {
        chain = List.copyOf(chain);
    }

    /** The first SVID of a FetchX509SVID response. */
    public static FetchedX509Svid first(X509SVIDResponse response) {
        X509SVID svid = response.getSvids(0);
        return new FetchedX509Svid(
                SpiffeId.parse(svid.getSpiffeId()),
                Certificates.parseConcatenated(svid.getX509Svid().toByteArray()));
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }
}
