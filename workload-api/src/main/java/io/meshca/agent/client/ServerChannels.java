package io.meshca.agent.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.meshca.agent.identity.AgentCredentials;
import io.meshca.agent.identity.AgentSvid;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.tls.SpiffeAuthorizers;
import io.meshca.common.tls.SpiffeSslContexts;
import io.meshca.common.tls.SpiffeTrustManager;
import io.meshca.common.tls.SvidKeyManager;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The TLS channels to ca-server. Both verify that the server's certificate chains to the trust bundle
 * and carries the server's SPIFFE ID, {@code spiffe://<td>/meshca/server}; there is no hostname check.
 * Every replica presents a server SVID of the same trust domain, so the check holds per connection,
 * whichever replica it reaches.
 * The mutual TLS channel presents whatever SVID {@link AgentCredentials} holds at each handshake, so a
 * renewed agent SVID is used by the next connection without rebuilding anything.
 *
 * <p>A channel connects to every address the server list resolves to and spreads calls over them
 * ({@code round_robin}): a replica whose connection fails is skipped until it is back, so calls fail
 * over to the others as soon as the failure is seen (a replica that vanishes without closing its
 * connections is noticed by the keepalive below).
 */
public final class ServerChannels {

    public static final String SERVER_PATH = "/meshca/server";

    private ServerChannels() {}

    public static SpiffeId serverId(TrustDomain trustDomain) {
        return trustDomain.withPath(SERVER_PATH);
    }

    /** Server-authenticated TLS for node attestation, trusting {@code authorities} (the -trustBundle). */
    public static ManagedChannel attestation(
            String host, int port, TrustDomain trustDomain, Supplier<List<X509Certificate>> authorities) {
        return attestation(List.of(new ServerAddress(host, port)), trustDomain, authorities);
    }

    /** As {@link #attestation(String, int, TrustDomain, Supplier)}, to any of the {@code servers}. */
    public static ManagedChannel attestation(
            List<ServerAddress> servers, TrustDomain trustDomain, Supplier<List<X509Certificate>> authorities) {
        SpiffeTrustManager trust = new SpiffeTrustManager(authorities, SpiffeAuthorizers.is(serverId(trustDomain)));
        return builder(servers)
                .sslContext(SpiffeSslContexts.clientWithoutIdentity(trust))
                .build();
    }

    /** Mutual TLS presenting the current agent SVID, while it is valid, and trusting the current bundle. */
    public static ManagedChannel mutualTls(
            String host, int port, TrustDomain trustDomain, AgentCredentials credentials) {
        return mutualTls(List.of(new ServerAddress(host, port)), trustDomain, credentials);
    }

    /** As {@link #mutualTls(String, int, TrustDomain, AgentCredentials)}, to any of the {@code servers}. */
    public static ManagedChannel mutualTls(
            List<ServerAddress> servers, TrustDomain trustDomain, AgentCredentials credentials) {
        SpiffeTrustManager trust = new SpiffeTrustManager(
                () -> credentials.bundle().x509Authorities(), SpiffeAuthorizers.is(serverId(trustDomain)));
        // an expired SVID is not presented: the handshake then fails for want of a client certificate
        SvidKeyManager keys = new SvidKeyManager(
                () -> credentials.validSvid().map(AgentSvid::tlsIdentity).orElse(null));
        return builder(servers)
                .sslContext(SpiffeSslContexts.client(keys, trust))
                .build();
    }

    private static NettyChannelBuilder builder(List<ServerAddress> servers) {
        ServerListResolverProvider.ensureRegistered();
        // Keepalive pings notice a dead server or a dropped connection within ~40 s, so that the watch
        // reconnects (to another replica, or the restarted server) instead of waiting on TCP. ca-server
        // permits pings every 20 s; more frequent ones would be answered with GOAWAY too_many_pings.
        return NettyChannelBuilder.forTarget(ServerListResolverProvider.TARGET)
                .setNameResolverArg(ServerListResolverProvider.SERVERS, List.copyOf(servers))
                .defaultLoadBalancingPolicy("round_robin")
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .keepAliveWithoutCalls(true)
                .maxInboundMessageSize(16 * 1024 * 1024);
    }

    /** Shuts a channel down and waits briefly for it to terminate. */
    public static void shutdown(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
