package io.meshca.server.api.convert;

import io.meshca.common.spiffe.Selector;
import io.meshca.proto.server.v1.AgentInfo;
import io.meshca.server.model.AgentRecord;

/** {@link AgentRecord} → the {@code AgentInfo} message. */
public final class AgentProtos {

    private AgentProtos() {}

    public static AgentInfo toProto(AgentRecord a) {
        AgentInfo.Builder b = AgentInfo.newBuilder()
                .setSpiffeId(a.spiffeId().toString())
                .setAttestationType(a.attestationType())
                .setX509SvidSerial(a.serial())
                .setX509SvidExpiresAt(a.svidExpiresAt().getEpochSecond())
                .setBanned(a.banned())
                .setCreatedAt(a.createdAt().getEpochSecond())
                .setLastSeenAt(a.lastSeenAt().getEpochSecond());
        for (Selector s : a.selectors()) {
            b.addSelectors(SelectorProtos.toProto(s));
        }
        return b.build();
    }
}
