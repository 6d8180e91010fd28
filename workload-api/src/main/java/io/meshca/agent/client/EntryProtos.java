package io.meshca.agent.client;

import io.meshca.agent.cache.AuthorizedEntry;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.Entry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The server's {@code Entry} message → an {@link AuthorizedEntry}; throws on malformed input. */
final class EntryProtos {

    private EntryProtos() {}

    static AuthorizedEntry fromProto(Entry entry) {
        List<Selector> selectors = new ArrayList<>(entry.getSelectorsCount());
        for (io.meshca.proto.server.v1.Selector s : entry.getSelectorsList()) {
            selectors.add(new Selector(s.getType(), s.getValue()));
        }
        List<TrustDomain> federatesWith = new ArrayList<>(entry.getFederatesWithCount());
        for (String domain : entry.getFederatesWithList()) {
            federatesWith.add(TrustDomain.parse(domain));
        }
        return new AuthorizedEntry(
                entry.getId(),
                SpiffeId.parse(entry.getSpiffeId()),
                SelectorSet.of(selectors),
                Duration.ofSeconds(entry.getX509SvidTtl()),
                entry.getDnsNamesList(),
                federatesWith,
                entry.getHint(),
                entry.getCreatedAt(),
                entry.getRevision());
    }
}
