package io.meshca.samples.bench;

import io.grpc.ManagedChannel;
import io.meshca.agent.attestation.node.JoinTokenAttestor;
import io.meshca.agent.client.ServerChannels;
import io.meshca.agent.client.ServerClient;
import io.meshca.agent.identity.AgentCredentials;
import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.TrustDomain;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * A node agent as the server sees it, without the rest of a node agent: an identity obtained by join
 * token attestation (the agent's own client code) and, per {@link #watch}, an mTLS connection presenting
 * it with one WatchAuthorized stream. A thousand of these fit in one JVM where a thousand
 * {@link io.meshca.agent.NodeAgent}s (each with its rotators, cache and socket) would not; the gRPC
 * channels share grpc-netty's event loops.
 */
final class SimulatedAgent {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final int index;
    private final AgentCredentials credentials;

    private SimulatedAgent(int index, AgentCredentials credentials) {
        this.index = index;
        this.credentials = credentials;
    }

    /**
     * Attests with {@code joinToken} at the replica on {@code port}, trusting {@code anchors} (every
     * replica's CA: each signs its own server SVID).
     *
     * @throws io.meshca.common.error.MeshcaException with the server's reason if it refuses
     */
    static SimulatedAgent attest(int index, String joinToken, int port, List<X509Certificate> anchors) {
        TrustDomain trustDomain = TrustDomain.parse(ServerReplica.TRUST_DOMAIN);
        ManagedChannel channel = ServerChannels.attestation("127.0.0.1", port, trustDomain, () -> anchors);
        try {
            ServerClient.Attested attested = new ServerClient(channel, channel, CALL_TIMEOUT)
                    .attest(JoinTokenAttestor.TYPE, joinToken.getBytes(StandardCharsets.UTF_8), Keys.generateEcP256());
            return new SimulatedAgent(index, new AgentCredentials(attested.svid(), attested.bundle()));
        } finally {
            ServerChannels.shutdown(channel);
        }
    }

    int index() {
        return index;
    }

    /**
     * Connects to the replica on {@code port} over mutual TLS and opens the watch: a full snapshot with
     * {@code sinceRevision} 0, else the changes after it.
     */
    EntryWatch watch(int port, long sinceRevision, EntryWatch.Listener listener) {
        ManagedChannel channel =
                ServerChannels.mutualTls("127.0.0.1", port, TrustDomain.parse(ServerReplica.TRUST_DOMAIN), credentials);
        return EntryWatch.open(this, channel, sinceRevision, listener);
    }
}
