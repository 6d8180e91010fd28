package io.meshca.agent.api;

import com.google.protobuf.ByteString;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.workload.X509BundlesResponse;
import io.meshca.proto.workload.X509SVID;
import io.meshca.proto.workload.X509SVIDResponse;
import java.util.Map;
import java.util.TreeMap;

/** Snapshots of the cache in the Workload API's wire form (DER chains leaf first, PKCS#8 keys, bundles keyed by trust domain ID). */
final class X509Responses {

    static final X509Snapshot.View<X509SVIDResponse> SVIDS = new X509Snapshot.View<>(X509Responses::svids);
    static final X509Snapshot.View<X509BundlesResponse> BUNDLES = new X509Snapshot.View<>(X509Responses::bundles);

    private X509Responses() {}

    static X509SVIDResponse svids(X509Snapshot snapshot) {
        ByteString bundle = der(snapshot.bundle());
        X509SVIDResponse.Builder response = X509SVIDResponse.newBuilder();
        for (IssuedSvid svid : snapshot.svids()) {
            response.addSvids(X509SVID.newBuilder()
                    .setSpiffeId(svid.spiffeId().toString())
                    .setX509Svid(ByteString.copyFrom(Certificates.concatenatedDer(svid.chain())))
                    .setX509SvidKey(ByteString.copyFrom(pkcs8(svid)))
                    .setBundle(bundle)
                    .setHint(svid.hint()));
        }
        response.putAllFederatedBundles(byTrustDomainId(snapshot.federatedBundles()));
        return response.build();
    }

    /** The own bundle and the federated ones, each under its {@code spiffe://td} key. */
    static X509BundlesResponse bundles(X509Snapshot snapshot) {
        Map<String, ByteString> bundles = byTrustDomainId(snapshot.federatedBundles());
        bundles.put(snapshot.bundle().trustDomain().id().toString(), der(snapshot.bundle()));
        return X509BundlesResponse.newBuilder().putAllBundles(bundles).build();
    }

    private static Map<String, ByteString> byTrustDomainId(Map<TrustDomain, TrustBundle> bundles) {
        Map<String, ByteString> out = new TreeMap<>();
        bundles.forEach((domain, bundle) -> out.put(domain.id().toString(), der(bundle)));
        return out;
    }

    private static ByteString der(TrustBundle bundle) {
        return ByteString.copyFrom(Certificates.concatenatedDer(bundle.x509Authorities()));
    }

    private static byte[] pkcs8(IssuedSvid svid) {
        if (!"PKCS#8".equals(svid.privateKey().getFormat())) {
            throw new IllegalStateException(
                    "SVID key is not PKCS#8-encodable: " + svid.privateKey().getFormat());
        }
        return svid.privateKey().getEncoded();
    }
}
