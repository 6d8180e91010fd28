package io.meshca.samples.bench;

import io.grpc.ManagedChannel;
import io.meshca.agent.client.ServerChannels;
import io.meshca.agent.client.ServerClient;
import io.meshca.agent.identity.AgentCredentials;
import io.meshca.common.crypto.CryptoProvider;
import io.meshca.common.pki.Csrs;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.SvidSigningRequest;
import io.meshca.server.api.admin.AdminClient;
import io.meshca.server.config.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench storm}: every agent reconnects at once and asks for all its SVIDs. Set-up, unmeasured:
 * each agent is attested with a join token of its own (a node alias) and gets its entries; its CSRs are
 * made in advance, so that the bench's share of the two cores goes to calls rather than key generation.
 * Then every agent opens a new mTLS connection and sends its batches, all at once, and retries what
 * the server refuses as {@link StormAgent} says; the server's RSS and threads are sampled every 100 ms
 * until every SVID is issued.
 */
final class StormBench {

    /** Set-up calls run on this many threads: the admin API and attestation are not what is measured. */
    private static final int REGISTRARS = 4;

    private static final String PATH = "/bench/storm";

    record Result(
            long requests,
            long admitted,
            long rejected,
            long completed,
            long p99Millis,
            long serverRssMegabytes,
            long errors) {
        String line() {
            return "storm: requests=" + requests + " admitted=" + admitted + " rejected=" + rejected + " completed="
                    + completed + " p99_ms=" + p99Millis + " server_rss_mb=" + serverRssMegabytes + " errors="
                    + errors;
        }
    }

    private final ServerProcess server;
    private final AdminClient admin;
    private final TrustDomain trustDomain = ServerConfig.DEFAULT_TRUST_DOMAIN;
    private final int agents;
    private final int svidsPerAgent;
    private final Duration timeout;
    private final PrintWriter out;

    StormBench(
            ServerProcess server, AdminClient admin, int agents, int svidsPerAgent, Duration timeout, PrintWriter out) {
        this.server = server;
        this.admin = admin;
        this.agents = agents;
        this.svidsPerAgent = svidsPerAgent;
        this.timeout = timeout;
        this.out = out;
    }

    Result run() throws Exception {
        long setUpStart = System.nanoTime();
        List<StormAgent> fleet = attestAndRegister();
        out.println(String.format(
                Locale.ROOT,
                "bench: %d agents attested, %d entries registered in %.1f s; server rss %d MB, %d threads before"
                        + " the storm",
                agents,
                (long) agents * svidsPerAgent,
                (System.nanoTime() - setUpStart) / 1e9,
                server.residentMegabytes(),
                server.threads()));
        out.flush();

        StormCounts counts = new StormCounts((long) agents * svidsPerAgent);
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
        AtomicLong peakRss = new AtomicLong(server.residentMegabytes());
        AtomicLong peakThreads = new AtomicLong(server.threads());
        timers.scheduleAtFixedRate(
                () -> {
                    try {
                        peakRss.accumulateAndGet(server.residentMegabytes(), Math::max);
                        peakThreads.accumulateAndGet(server.threads(), Math::max);
                    } catch (IOException e) {
                        // the server died: the report says so
                    }
                },
                0,
                100,
                TimeUnit.MILLISECONDS);
        boolean all;
        try {
            for (StormAgent agent : fleet) {
                agent.storm(server.port(), trustDomain, counts, timers);
            }
            all = counts.await(timeout);
            peakRss.accumulateAndGet(server.residentMegabytes(), Math::max);
        } finally {
            timers.shutdownNow();
            fleet.forEach(StormAgent::close);
        }
        Latencies calls = counts.callLatencies();
        Latencies retried = counts.connectedCallLatencies();
        Latencies issued = counts.issuedAfterStart();
        Latencies waits = counts.waits();
        out.println(String.format(
                Locale.ROOT,
                "storm: %s; admitted calls p50 %s ms, p99 %s ms, max %s ms (retries, on a connection already up:"
                        + " %d SVIDs, p50 %s ms, p99 %s ms); SVIDs issued p50 %s ms, p99 %s ms after"
                        + " the storm began; %d calls refused, agents waited p50 %s ms, p99 %s ms before retrying;"
                        + " server peak rss %d MB, peak threads %d, alive %s%s",
                all ? "every SVID issued" : "timed out after " + timeout.toSeconds() + " s",
                Latencies.ms(calls.percentileMillis(50)),
                Latencies.ms(calls.percentileMillis(99)),
                Latencies.ms(calls.percentileMillis(100)),
                retried.count(),
                Latencies.ms(retried.percentileMillis(50)),
                Latencies.ms(retried.percentileMillis(99)),
                Latencies.ms(issued.percentileMillis(50)),
                Latencies.ms(issued.percentileMillis(99)),
                counts.rejectedCalls(),
                Latencies.ms(waits.percentileMillis(50)),
                Latencies.ms(waits.percentileMillis(99)),
                peakRss.get(),
                peakThreads.get(),
                server.isAlive(),
                counts.firstError() == null ? "" : "; first error: " + counts.firstError()));
        return new Result(
                counts.requests(),
                counts.admitted(),
                counts.rejected(),
                counts.completed(),
                Math.round(calls.percentileMillis(99)),
                peakRss.get(),
                counts.errors());
    }

    /** Attests every agent (join token with a node alias) and registers its entries; makes its CSRs. */
    private List<StormAgent> attestAndRegister() throws Exception {
        List<X509Certificate> anchors = admin.trustBundle();
        ManagedChannel attestation = ServerChannels.attestation("127.0.0.1", server.port(), trustDomain, () -> anchors);
        ExecutorService registrars = Executors.newFixedThreadPool(REGISTRARS);
        try {
            ServerClient client = new ServerClient(attestation, attestation, Duration.ofSeconds(30));
            List<Future<StormAgent>> started = new ArrayList<>(agents);
            for (int i = 0; i < agents; i++) {
                int index = i;
                started.add(registrars.submit(() -> attestAndRegister(client, index)));
            }
            List<StormAgent> fleet = new ArrayList<>(agents);
            for (Future<StormAgent> f : started) {
                fleet.add(f.get());
            }
            return fleet;
        } finally {
            registrars.shutdownNow();
            ServerChannels.shutdown(attestation);
        }
    }

    private StormAgent attestAndRegister(ServerClient client, int index) {
        SpiffeId node = trustDomain.withPath(PATH + "/node-" + index);
        String token = admin.generateJoinToken(Duration.ofHours(1), Optional.of(node));
        CryptoProvider crypto = CryptoProvider.get();
        ServerClient.Attested attested =
                client.attest("join_token", token.getBytes(StandardCharsets.UTF_8), crypto.generateEcP256());
        List<SvidSigningRequest> requests = new ArrayList<>(svidsPerAgent);
        for (int j = 0; j < svidsPerAgent; j++) {
            String entryId = admin.createEntry(
                            trustDomain.withPath(PATH + "/node-" + index + "/svid-" + j),
                            node,
                            SelectorSet.of(Selector.parse("unix:uid:" + (10_000 + j))),
                            Duration.ZERO)
                    .id();
            KeyPair key = crypto.generateEcP256();
            requests.add(StormAgent.request(entryId, Csrs.create(key, crypto)));
        }
        return new StormAgent(new AgentCredentials(attested.svid(), attested.bundle()), requests, index);
    }
}
