package io.meshca.server.api.convert;

import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import java.util.ArrayList;
import java.util.List;

/** {@link Selector} ⇄ the {@code Selector} message (same simple name: the message is written out in full). */
public final class SelectorProtos {

    private SelectorProtos() {}

    public static io.meshca.proto.server.v1.Selector toProto(Selector s) {
        return io.meshca.proto.server.v1.Selector.newBuilder()
                .setType(s.type())
                .setValue(s.value())
                .build();
    }

    public static SelectorSet fromProto(List<io.meshca.proto.server.v1.Selector> list) {
        List<Selector> out = new ArrayList<>(list.size());
        for (io.meshca.proto.server.v1.Selector s : list) {
            out.add(new Selector(s.getType(), s.getValue()));
        }
        return SelectorSet.of(out);
    }
}
