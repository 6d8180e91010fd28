package io.meshca.agent.attestation.node;

import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.plugin.PluginConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Attests with the projected service-account token of the agent's pod (SPIRE's {@code k8s_psat}): the
 * token is the evidence. The kubelet refreshes the token file before the token expires, so the file is
 * read for every attestation, and the agent can attest again by itself whenever its SVID has expired.
 * The token's audience is set in the pod's projected volume and must be the one the server's
 * {@code k8s_psat} attestor expects ({@code meshca-server} unless configured otherwise).
 */
public final class K8sPsatAttestor implements NodeAttestor {

    public static final String TYPE = "k8s_psat";
    /** The block's key: where the projected token is mounted. */
    public static final String TOKEN_PATH = "tokenPath";

    public static final Path DEFAULT_TOKEN_PATH = Path.of("/var/run/secrets/tokens/meshca-agent");

    private final Path tokenPath;

    public K8sPsatAttestor(Path tokenPath) {
        this.tokenPath = tokenPath;
    }

    /**
     * The {@code plugins.nodeAttestor.k8s_psat} plugin: {@code tokenPath} (default {@link #DEFAULT_TOKEN_PATH}).
     *
     * @throws io.meshca.common.error.InvalidArgumentException naming an unknown key of the block
     */
    public static K8sPsatAttestor create(PluginConfig block) {
        block.allowOnly(TOKEN_PATH);
        return new K8sPsatAttestor(block.path(TOKEN_PATH).orElse(DEFAULT_TOKEN_PATH));
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The token as it is in the file now.
     *
     * @throws FailedPreconditionException naming the file if it cannot be read or is empty
     */
    @Override
    public Optional<byte[]> payload() {
        String token;
        try {
            token = Files.readString(tokenPath, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new FailedPreconditionException("cannot read the service-account token " + tokenPath + " ("
                    + e.getClass().getSimpleName() + "): mount a projected token there or set "
                    + "plugins.nodeAttestor.k8s_psat." + TOKEN_PATH);
        }
        if (token.isEmpty()) {
            throw new FailedPreconditionException("the service-account token file " + tokenPath + " is empty");
        }
        return Optional.of(token.getBytes(StandardCharsets.UTF_8));
    }

    /** Yes: the kubelet keeps a fresh token in the file, and the server accepts a node's tokens again. */
    @Override
    public boolean canReattest() {
        return true;
    }

    /** Names the file, never the token. */
    @Override
    public String toString() {
        return "K8sPsatAttestor[tokenPath=" + tokenPath + "]";
    }
}
