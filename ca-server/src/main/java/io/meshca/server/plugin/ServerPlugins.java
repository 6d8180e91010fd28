package io.meshca.server.plugin;

import io.meshca.server.attestation.node.NodeAttestor;
import io.meshca.server.ca.keys.KeyManager;
import io.meshca.server.ca.upstream.UpstreamAuthority;
import java.util.List;
import java.util.Objects;

/**
 * The plugins a server runs, as the catalog created them from the config.
 *
 * @param keyManager where the CA's and the JWT signer's keys live
 * @param nodeAttestors the attestors agents may use, in the order configured
 * @param upstreamAuthority who certifies the X.509 CA
 */
public record ServerPlugins(
        KeyManager keyManager, List<NodeAttestor> nodeAttestors, UpstreamAuthority upstreamAuthority) {
    public ServerPlugins {
        Objects.requireNonNull(keyManager, "keyManager");
        nodeAttestors = List.copyOf(nodeAttestors);
        Objects.requireNonNull(upstreamAuthority, "upstreamAuthority");
    }
}
