package io.meshca.agent;

import io.grpc.ManagedChannel;
import io.meshca.agent.api.AgentHealthService;
import io.meshca.agent.api.WorkloadApiEndpoint;
import io.meshca.agent.attestation.node.AgentIdentityBootstrap;
import io.meshca.agent.attestation.node.NodeAttestor;
import io.meshca.agent.attestation.workload.CombinedWorkloadAttestor;
import io.meshca.agent.attestation.workload.WorkloadAttestor;
import io.meshca.agent.cache.SvidCache;
import io.meshca.agent.client.AuthorizedEntryWatcher;
import io.meshca.agent.client.ServerChannels;
import io.meshca.agent.client.ServerClient;
import io.meshca.agent.client.ServerConnection;
import io.meshca.agent.client.WatchApplier;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.endpoint.UnixSocketServer;
import io.meshca.agent.identity.AgentCredentials;
import io.meshca.agent.jwt.JwtSvidCache;
import io.meshca.agent.jwt.JwtSvidValidator;
import io.meshca.agent.retry.Backoff;
import io.meshca.agent.rotation.AgentSvidRotator;
import io.meshca.agent.rotation.NodeReattestor;
import io.meshca.agent.rotation.SvidRotator;
import io.meshca.agent.sds.SdsEndpoint;
import io.meshca.agent.storage.AgentSvidStore;
import io.meshca.common.files.DataDir;
import io.meshca.common.plugin.PluginsConfig;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent's composition root: the only place that wires the agent together. {@link #start}
 * loads the plugins the config chooses ({@link AgentPlugins}), obtains the agent's identity (stored
 * SVID or node attestation), opens the mutual-TLS channel to ca-server, starts the watch of
 * authorized entries, the workload SVID rotator and the agent SVID rotator, and serves the Workload
 * API and SDS on the unix socket, where the agent's back half (cache, rotation) meets its front half
 * (endpoint, workload attestation, API services). {@link #close} stops all of it and removes the
 * socket. It offers nothing else: what a starter may learn of the running agent comes as
 * {@link AgentEvents}.
 */
public final class NodeAgent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final AgentConfig config;
    private final AgentCredentials credentials;
    private final List<AutoCloseable> resources;

    private NodeAgent(AgentConfig config, AgentCredentials credentials, List<AutoCloseable> resources) {
        this.config = config;
        this.credentials = credentials;
        this.resources = resources;
    }

    /** {@link #start(AgentConfig, AgentEvents)} with no one listening. */
    public static NodeAgent start(AgentConfig config) {
        return start(config, AgentEvents.NONE);
    }

    /**
     * Starts the agent. Returns once the Workload API socket is bound; the first sync with the server
     * happens in the background ({@link AgentEvents#synced}).
     *
     * @param events told which SVID the agent presents and when it has synced
     *
     * @throws io.meshca.common.error.MeshcaException naming the problem: a data dir in use, open to
     *     other users or not writable, a socket that cannot be bound (all checked before attesting),
     *     no token and nothing stored,
     *     a stored SVID that expired, a refused token, an unreachable server, a bad trust bundle, a
     *     plugins block the catalog refuses
     */
    public static NodeAgent start(AgentConfig config, AgentEvents events) {
        PluginsConfig plugins = AgentPlugins.chosen(config);
        NodeAttestor nodeAttestor = AgentPlugins.CATALOG.loadOne(AgentPlugins.NODE_ATTESTOR, plugins, config);
        WorkloadAttestor workloadAttestor =
                CombinedWorkloadAttestor.of(AgentPlugins.CATALOG.load(AgentPlugins.WORKLOAD_ATTESTOR, plugins, config));
        AgentIdentityBootstrap.checkRebootstrap(config, nodeAttestor);
        Clock clock = Clock.systemUTC();
        RandomGenerator random = new SecureRandom();
        // Everything local is checked before attesting: a join token is single-use, so an agent that
        // attests and then cannot store its SVID or serve its socket has spent the token for nothing.
        DataDir dataDir = DataDir.open(config.dataDir(), "agent", "-dataDir");
        List<AutoCloseable> resources = new ArrayList<>();
        resources.add(dataDir); // closed last: the next agent may start on this dir once this one is gone
        AgentSvidStore store = new AgentSvidStore(dataDir.path(), config.trustDomain());
        AgentCredentials credentials;
        try {
            UnixSocketServer.checkBindable(config.socketPath());
            credentials = AgentIdentityBootstrap.obtain(config, nodeAttestor, store, clock, CALL_TIMEOUT);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }

        try {
            events.agentSvidInUse(credentials.svid());
            ScheduledExecutorService background = daemonScheduler("meshca-agent-background");
            resources.add(background::shutdownNow);
            ScheduledExecutorService rotation = daemonScheduler("meshca-agent-rotation");
            resources.add(rotation::shutdownNow);
            ManagedChannel channel = ServerChannels.mutualTls(config.servers(), config.trustDomain(), credentials);
            resources.add(() -> ServerChannels.shutdown(channel));
            ServerConnection connection = ServerConnection.watch(channel);
            resources.add(connection);
            ServerClient client = new ServerClient(connection, connection, CALL_TIMEOUT);

            SvidCache cache = new SvidCache(credentials.bundle(), clock);
            SvidRotator svidRotator = new SvidRotator(
                    cache,
                    client,
                    clock,
                    rotation,
                    random,
                    Backoff.DEFAULT,
                    SvidRotator.DEFAULT_BATCH_SIZE,
                    events::workloadSvidsIssued);
            // The server checks, per call, that the SVID of the call's connection is unexpired; a renewed
            // SVID is presented only by new connections. Idling the channel sends new calls over a new
            // connection while the running watch finishes on the old one.
            AgentSvidRotator agentRotator = new AgentSvidRotator(
                    credentials,
                    client,
                    () -> reattest(config, nodeAttestor, credentials),
                    store,
                    clock,
                    background,
                    random,
                    Backoff.DEFAULT,
                    renewed -> {
                        channel.enterIdle();
                        events.agentSvidInUse(renewed);
                    });
            JwtSvidCache jwtSvids = new JwtSvidCache(client, clock, JwtSvidCache.DEFAULT_MAX_SIZE);
            WatchApplier applier = new WatchApplier(
                    new UpdateDispatcher(cache, credentials, store, svidRotator, agentRotator, jwtSvids, events));
            AuthorizedEntryWatcher watcher = new AuthorizedEntryWatcher(
                    connection, applier, cache::revision, background, random, Backoff.DEFAULT, 0);
            // after an outage, every loop waiting for the server retries the moment it is back
            connection.onReconnected(() -> {
                watcher.reconnectNow();
                svidRotator.trigger();
                agentRotator.retryNow();
            });
            // closed in reverse order: endpoint first, then the rotators and the watch, then channel and threads
            resources.add(agentRotator);
            resources.add(svidRotator);
            resources.add(watcher);
            svidRotator.start();
            agentRotator.start();
            watcher.start();
            resources.add(UnixSocketServer.start(
                    config.socketPath(),
                    config.socketAccess(),
                    List.of(
                            WorkloadApiEndpoint.service(cache, workloadAttestor, jwtSvids, new JwtSvidValidator(clock)),
                            SdsEndpoint.service(cache, workloadAttestor, config.sds()),
                            new AgentHealthService(() -> credentials.validSvid().isPresent()).bindService())));
            log.info(
                    "agent {} serving the Workload API and SDS on {}",
                    credentials.svid().spiffeId(),
                    config.socketPath());
            return new NodeAgent(config, credentials, resources);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    /** Node attestation again, for an agent whose SVID expired; refused for a join_token agent. */
    private static NodeReattestor.Reattested reattest(
            AgentConfig config, NodeAttestor nodeAttestor, AgentCredentials credentials) {
        ServerClient.Attested attested = AgentIdentityBootstrap.reattest(
                config, nodeAttestor, () -> credentials.bundle().x509Authorities(), CALL_TIMEOUT);
        return new NodeReattestor.Reattested(attested.svid(), attested.bundle());
    }

    private static ScheduledExecutorService daemonScheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Stops everything and removes the socket file; idempotent. */
    @Override
    public void close() {
        synchronized (resources) {
            if (resources.isEmpty()) {
                return;
            }
            closeAll(resources);
        }
        log.info("agent {} stopped; socket {} removed", credentials.svid().spiffeId(), config.socketPath());
    }

    private static void closeAll(List<AutoCloseable> resources) {
        synchronized (resources) {
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception e) {
                    log.warn("error while stopping the agent: {}", e.toString());
                }
            }
            resources.clear();
        }
    }
}
