package io.meshca.server.agents;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.model.AgentRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Attested agents. Writes take a revision, so that a watching agent learns at once it was banned or evicted. */
public interface AgentStore {

    /** Records a newly attested agent, replacing any row with the same ID (re-attestation after eviction). */
    void upsert(AgentRecord agent);

    Optional<AgentRecord> get(SpiffeId id);

    /** One page ordered by SPIFFE ID, after {@code afterId} ("" for the first page). */
    List<AgentRecord> list(String afterId, int limit);

    /** How many agents are stored (banned ones included). */
    long count();

    /** The agents whose agent SVID expired before {@code cutoff}, ordered by SPIFFE ID. */
    List<AgentRecord> listExpiredBefore(Instant cutoff);

    /** Records a renewed SVID; false if the agent is unknown. */
    boolean updateSvid(SpiffeId id, String serial, Instant expiresAt, Instant seenAt);

    /** Sets the banned flag; false if the agent is unknown. */
    boolean ban(SpiffeId id);

    /** Forgets the agent (evict); false if it was unknown. */
    boolean delete(SpiffeId id);
}
