package io.meshca.server.agents;

import io.meshca.common.config.Durations;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.NotFoundException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.attestation.node.AttestResult;
import io.meshca.server.attestation.node.AttestStep;
import io.meshca.server.attestation.node.NodeAttestor;
import io.meshca.server.audit.AuditEvent;
import io.meshca.server.audit.AuditLog;
import io.meshca.server.ca.SvidIssuer;
import io.meshca.server.ca.signing.CsrParser;
import io.meshca.server.model.AgentRecord;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The lifecycle of agents: attestation, SVID renewal, and the admin's evict and ban. */
public final class AgentManager {

    private static final Logger log = LoggerFactory.getLogger(AgentManager.class);

    public static final String BANNED = "agent is banned";
    public static final String UNKNOWN = "agent is not attested (unknown or evicted)";

    private final Map<String, NodeAttestor> attestors;
    private final AgentStore agents;
    private final AgentCache cache;
    private final SvidIssuer issuer;
    private final AuditLog audit;
    private final Clock clock;

    /** Renewals issued and not yet recorded in the store (while it is away, until it is back); by agent. */
    private final Map<SpiffeId, AgentRecord> unrecordedRenewals = new ConcurrentHashMap<>();

    private final Executor recorder;
    private boolean storeAway;

    /** Without a loaded cache: agents are read from the store on first use, then kept. */
    public AgentManager(
            List<NodeAttestor> attestors, AgentStore agents, SvidIssuer issuer, AuditLog audit, Clock clock) {
        this(attestors, agents, new AgentCache(agents), issuer, audit, clock, Runnable::run);
    }

    /**
     * @param cache the agents in memory, kept current by the change feed; what every agent API call checks
     * @param recorder runs the recording of renewals in the store, after the agent has its new SVID
     */
    public AgentManager(
            List<NodeAttestor> attestors,
            AgentStore agents,
            AgentCache cache,
            SvidIssuer issuer,
            AuditLog audit,
            Clock clock,
            Executor recorder) {
        this.cache = cache;
        this.recorder = recorder;
        this.attestors =
                attestors.stream().collect(Collectors.toUnmodifiableMap(NodeAttestor::type, Function.identity()));
        this.agents = agents;
        this.issuer = issuer;
        this.audit = audit;
        this.clock = clock;
    }

    /** An attested agent with its first SVID chain. */
    public record Attested(AgentRecord agent, List<X509Certificate> svid) {}

    /**
     * The first step of a node attestation: the CSR is checked, then the attestor of {@code type} looks at
     * the evidence. What it accepts, in this step or after its challenges, goes to {@link #issueAttested}.
     *
     * @throws InvalidArgumentException if the type is unknown or the CSR malformed (before any evidence is
     *     spent: a join token is single-use)
     * @throws PermissionDeniedException if the attestor refuses the evidence
     */
    public AttestStep verifyEvidence(String type, byte[] payload, byte[] csr) {
        NodeAttestor attestor = attestors.get(type);
        if (attestor == null) {
            throw new InvalidArgumentException("unknown attestation type \"" + type + "\" (supported: "
                    + String.join(", ", attestors.keySet().stream().sorted().toList()) + ")");
        }
        CsrParser.publicKey(csr);
        return attestor.attest(payload);
    }

    /**
     * Issues the first SVID of a node its attestor of {@code type} accepted, stores the agent and audits
     * the attestation. A banned agent gets nothing, however good its evidence.
     *
     * @throws PermissionDeniedException ({@link #BANNED}) if the agent is banned
     */
    public Attested issueAttested(String type, AttestResult result, byte[] csr) {
        cache.get(result.agentId()).filter(AgentRecord::banned).ifPresent(a -> {
            throw new PermissionDeniedException(BANNED);
        });
        List<X509Certificate> chain = issuer.issueAgentSvid(result.agentId(), csr, "attest");
        Instant now = clock.instant();
        X509Certificate leaf = chain.get(0);
        AgentRecord record = new AgentRecord(
                result.agentId(),
                type,
                leaf.getSerialNumber().toString(16),
                leaf.getNotAfter().toInstant(),
                false,
                result.selectors(),
                now,
                now);
        agents.upsert(record);
        cache.put(record);
        audit.record(new AuditEvent(
                result.agentId().toString(), "agent.attest", result.agentId().toString(), "type=" + type));
        return new Attested(record, chain);
    }

    /** The agent if it may act now: known (not evicted) and not banned; else PermissionDenied saying which. */
    public AgentRecord requireActive(SpiffeId agentId) {
        AgentRecord agent = cache.get(agentId).orElseThrow(() -> new PermissionDeniedException(UNKNOWN));
        if (agent.banned()) {
            throw new PermissionDeniedException(BANNED);
        }
        return agent;
    }

    /**
     * Issues the agent a new SVID. The new serial and expiry are recorded in the store by {@code
     * recorder}, not before the agent gets its SVID: an agent must not wait on the database, let alone
     * lose its identity to an outage longer than its SVID's lifetime. What cannot be recorded while the
     * store is away is recorded by {@link #recordRenewals()} once it is back.
     */
    public List<X509Certificate> renew(SpiffeId agentId, byte[] csr) {
        AgentRecord agent = requireActive(agentId);
        List<X509Certificate> chain = issuer.issueAgentSvid(agentId, csr, "renew");
        X509Certificate leaf = chain.get(0);
        AgentRecord renewed = agent.renewed(
                leaf.getSerialNumber().toString(16), leaf.getNotAfter().toInstant(), clock.instant());
        cache.put(renewed);
        unrecordedRenewals.put(agentId, renewed);
        recorder.execute(this::recordRenewals);
        return chain;
    }

    /** Records the renewals not recorded yet; returns how many are still unrecorded (the store is away). */
    public synchronized int recordRenewals() {
        for (AgentRecord renewed : List.copyOf(unrecordedRenewals.values())) {
            try {
                record(renewed);
                unrecordedRenewals.remove(renewed.spiffeId(), renewed);
            } catch (UnavailableException e) {
                if (!storeAway) {
                    storeAway = true;
                    log.warn(
                            "cannot record agent SVID renewals now ({}); recording them when the datastore is back",
                            e.getMessage());
                }
                return unrecordedRenewals.size();
            }
        }
        if (storeAway) {
            storeAway = false;
            log.info("recorded the agent SVID renewals issued while the datastore was away");
        }
        return unrecordedRenewals.size();
    }

    private void record(AgentRecord renewed) {
        agents.updateSvid(renewed.spiffeId(), renewed.serial(), renewed.svidExpiresAt(), renewed.lastSeenAt());
    }

    public AgentRecord get(SpiffeId agentId) {
        return agents.get(agentId).orElseThrow(() -> new NotFoundException("no agent " + agentId));
    }

    public List<AgentRecord> list(String afterId, int limit) {
        return agents.list(afterId, limit);
    }

    public long count() {
        return agents.count();
    }

    /**
     * Forgets every agent whose agent SVID expired more than {@code expiredFor} ago, as {@link #evict}
     * would, one audit row each; with {@code dryRun}, changes nothing.
     *
     * @return the agents purged (or that would be)
     * @throws InvalidArgumentException if {@code expiredFor} is not positive
     */
    public List<AgentRecord> purge(Duration expiredFor, boolean dryRun, String actor) {
        if (expiredFor.isNegative() || expiredFor.isZero()) {
            throw new InvalidArgumentException("expiredFor must be positive, got " + Durations.format(expiredFor));
        }
        List<AgentRecord> expired = agents.listExpiredBefore(clock.instant().minus(expiredFor));
        if (dryRun) {
            return expired;
        }
        List<AgentRecord> purged = new ArrayList<>();
        for (AgentRecord agent : expired) {
            // An agent that renewed (or was evicted) since the listing is left alone.
            var current = agents.get(agent.spiffeId());
            if (current.isPresent()
                    && current.get().svidExpiresAt().equals(agent.svidExpiresAt())
                    && agents.delete(agent.spiffeId())) {
                cache.refresh(agent.spiffeId());
                audit.record(new AuditEvent(
                        actor,
                        "agent.purge",
                        agent.spiffeId().toString(),
                        "expired_at=" + agent.svidExpiresAt().getEpochSecond()));
                purged.add(agent);
            }
        }
        return purged;
    }

    public void evict(SpiffeId agentId, String actor) {
        if (!agents.delete(agentId)) {
            throw new NotFoundException("no agent " + agentId);
        }
        unrecordedRenewals.remove(agentId);
        cache.refresh(agentId);
        audit.record(new AuditEvent(actor, "agent.evict", agentId.toString(), ""));
    }

    public void ban(SpiffeId agentId, String actor) {
        if (!agents.ban(agentId)) {
            throw new NotFoundException("no agent " + agentId);
        }
        cache.refresh(agentId);
        audit.record(new AuditEvent(actor, "agent.ban", agentId.toString(), ""));
    }
}
