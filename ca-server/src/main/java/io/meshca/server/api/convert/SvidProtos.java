package io.meshca.server.api.convert;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.server.v1.X509Svid;
import io.meshca.server.ca.signing.SignedSvid;
import java.security.cert.X509Certificate;
import java.util.List;

/** A signed X509-SVID → the {@code X509Svid} message. */
public final class SvidProtos {

    private SvidProtos() {}

    /** A freshly signed SVID, from its DER (the hot path: nothing is parsed or re-encoded). */
    public static X509Svid toProto(SpiffeId id, SignedSvid svid) {
        X509Svid.Builder b = X509Svid.newBuilder()
                .setSpiffeId(id.toString())
                .setExpiresAt(svid.notAfter().getEpochSecond());
        // unsafeWrap: these arrays are never written after signing (the tail is shared, read-only, per authority)
        b.addCertChain(UnsafeByteOperations.unsafeWrap(svid.leafDer()));
        for (byte[] der : svid.chainTailDer()) {
            b.addCertChain(UnsafeByteOperations.unsafeWrap(der));
        }
        return b.build();
    }

    public static X509Svid toProto(SpiffeId id, List<X509Certificate> chain) {
        X509Svid.Builder b = X509Svid.newBuilder()
                .setSpiffeId(id.toString())
                .setExpiresAt(chain.get(0).getNotAfter().toInstant().getEpochSecond());
        for (X509Certificate c : chain) {
            b.addCertChain(ByteString.copyFrom(Certificates.der(c)));
        }
        return b.build();
    }
}
