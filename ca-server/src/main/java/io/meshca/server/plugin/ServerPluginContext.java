package io.meshca.server.plugin;

import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.attestation.node.AttestedAgents;
import io.meshca.server.attestation.node.JoinTokens;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * What the server offers every plugin it creates, besides the plugin's own config block.
 *
 * @param trustDomain the server's trust domain
 * @param dataDir the server's data directory (where {@code disk} keeps its keys by default)
 * @param clock the server's clock
 * @param joinTokens the server's join tokens, which {@code join_token} redeems
 * @param attestedAgents the agents on record, which {@code aws_iid} asks to refuse a second attestation
 */
public record ServerPluginContext(
        TrustDomain trustDomain, Path dataDir, Clock clock, JoinTokens joinTokens, AttestedAgents attestedAgents) {
    public ServerPluginContext {
        Objects.requireNonNull(trustDomain, "trustDomain");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(joinTokens, "joinTokens");
        Objects.requireNonNull(attestedAgents, "attestedAgents");
    }
}
