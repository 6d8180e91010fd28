package io.meshca.agent.attestation.node;

import io.meshca.agent.config.AgentConfig;
import io.meshca.common.plugin.PluginConfig;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Attests with a one-time join token from {@code server token generate}: the token itself is the
 * evidence. The token comes from the agent's {@code joinToken} setting (the {@code -joinToken} flag),
 * not from the plugin's block, so that there is one place to give it.
 */
public final class JoinTokenAttestor implements NodeAttestor {

    public static final String TYPE = "join_token";

    private final String token;

    /** @param token the join token, or null (or blank) if none was given */
    public JoinTokenAttestor(String token) {
        this.token = token == null || token.isBlank() ? null : token;
    }

    /**
     * The {@code plugins.nodeAttestor.join_token} plugin; its block takes no keys.
     *
     * @throws io.meshca.common.error.InvalidArgumentException naming a key of the block
     */
    public static JoinTokenAttestor create(PluginConfig block, AgentConfig config) {
        block.allowOnly();
        return new JoinTokenAttestor(config.joinToken().orElse(null));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Optional<byte[]> payload() {
        return Optional.ofNullable(token).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    /** No: a join token is single-use; the agent needs a new one from the operator. */
    @Override
    public boolean canReattest() {
        return false;
    }

    /** Never print the token. */
    @Override
    public String toString() {
        return "JoinTokenAttestor[token=" + (token == null ? "none" : "(set)") + "]";
    }
}
