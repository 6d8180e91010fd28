package io.meshca.agent.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.common.bundle.SpiffeBundleCodec;
import io.meshca.proto.workload.JWTBundlesResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** JWT parts of the Workload API in wire form: JWKS per trust domain ID, claims as a Struct. */
final class JwtResponses {

    static final X509Snapshot.View<JWTBundlesResponse> BUNDLES = new X509Snapshot.View<>(JwtResponses::bundles);

    private JwtResponses() {}

    /** The own and federated bundles' JWT keys, each a JWKS under its {@code spiffe://td} key. */
    static JWTBundlesResponse bundles(X509Snapshot snapshot) {
        Map<String, ByteString> bundles = new TreeMap<>();
        snapshot.federatedBundles()
                .forEach((domain, bundle) -> bundles.put(domain.id().toString(), jwks(bundle)));
        bundles.put(snapshot.bundle().trustDomain().id().toString(), jwks(snapshot.bundle()));
        return JWTBundlesResponse.newBuilder().putAllBundles(bundles).build();
    }

    private static ByteString jwks(TrustBundle bundle) {
        return ByteString.copyFrom(SpiffeBundleCodec.toJwks(bundle.jwtAuthorities()), StandardCharsets.UTF_8);
    }

    /** JSON values (as nimbus parses them: Map, List, String, Number, Boolean, null) as a Struct. */
    static Struct struct(Map<String, Object> claims) {
        Struct.Builder struct = Struct.newBuilder();
        claims.forEach((name, value) -> struct.putFields(name, value(value)));
        return struct.build();
    }

    @SuppressWarnings("unchecked")
    private static Value value(Object value) {
        if (value == null) {
            return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
        } else if (value instanceof String s) {
            return Value.newBuilder().setStringValue(s).build();
        } else if (value instanceof Number n) {
            return Value.newBuilder().setNumberValue(n.doubleValue()).build();
        } else if (value instanceof Boolean b) {
            return Value.newBuilder().setBoolValue(b).build();
        } else if (value instanceof List<?> list) {
            ListValue.Builder l = ListValue.newBuilder();
            list.forEach(v -> l.addValues(value(v)));
            return Value.newBuilder().setListValue(l).build();
        } else if (value instanceof Map<?, ?> map) {
            return Value.newBuilder()
                    .setStructValue(struct((Map<String, Object>) map))
                    .build();
        }
        return Value.newBuilder().setStringValue(value.toString()).build();
    }
}
