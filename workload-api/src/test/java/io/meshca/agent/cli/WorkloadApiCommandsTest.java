package io.meshca.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.agent.api.AgentHealthService;
import io.meshca.agent.api.WorkloadApiEndpoint;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.endpoint.UnixSocketServer;
import io.meshca.agent.testing.FakeWorkloadIdentitySource;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The client commands against a real Workload API socket with a fake cache. */
class WorkloadApiCommandsTest {

    private static final Selector ORDERS = Selector.parse("unix:java-main:io.demo.Orders");
    private static final FakeWorkloadIdentitySource.Pki PKI = FakeWorkloadIdentitySource.pki();

    @TempDir
    Path dir;

    private UnixSocketServer server;
    private volatile boolean agentHoldsValidSvid = true;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void fetchX509_write_writesChainKeyAndBundlePerSvid_keyOwnerOnly() throws Exception {
        IssuedSvid orders = PKI.svid("/orders", "");
        IssuedSvid admin = PKI.svid("/orders-admin", "admin");
        Path socket =
                serve(SelectorSet.of(ORDERS), new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(orders, admin)));
        Path target = dir.resolve("out");

        int exit = run("api", "fetch", "x509", "-socketPath", socket.toString(), "-write", target.toString());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains(
                        "spiffe://example.org/orders",
                        "spiffe://example.org/orders-admin",
                        orders.leaf().getSerialNumber().toString(16),
                        "Bundle:\t\t\t1 CA certificate(s)");
        for (int i = 0; i < 2; i++) {
            IssuedSvid svid = i == 0 ? orders : admin;
            assertThat(Pem.decodeCertificates(Files.readString(target.resolve("svid." + i + ".pem"))))
                    .isEqualTo(svid.chain());
            assertThat(Pem.decodeCertificates(Files.readString(target.resolve("bundle." + i + ".pem"))))
                    .containsExactly(PKI.root().certificate());
            Path key = target.resolve("svid." + i + ".key");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                    .isEqualTo("rw-------");
            assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
            assertThat(signsFor(Pem.decodePrivateKey(Files.readString(key)), svid))
                    .isTrue();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("svid.0.pem"))))
                .isEqualTo("rw-r--r--");
        try (var files = Files.list(target)) {
            assertThat(files).hasSize(6);
        }
    }

    @Test
    void fetchX509_callerWithoutIdentity_failsWithOneLine() throws Exception {
        Path socket = serve(
                SelectorSet.of(Selector.parse("unix:uid:4242")),
                new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(PKI.svid("/orders", ""))));

        int exit = run("api", "fetch", "x509", "-socketPath", socket.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString())
                .isEqualTo(
                        "error: fetching X509-SVIDs: the Workload API refused the call (PERMISSION_DENIED: no identity issued);"
                                + " check that an entry selects this workload: meshca server entry show -selector unix:uid:"
                                + Files.getAttribute(Path.of("/proc/self"), "unix:uid") + "\n");
    }

    @Test
    void fetchX509_noAgent_failsWithOneLineNamingTheSocket() {
        Path socket = dir.resolve("nobody-here.sock");

        int exit = run("api", "fetch", "x509", "-socketPath", socket.toString(), "-timeout", "2s");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString())
                .isEqualTo("error: fetching X509-SVIDs: cannot reach the Workload API at " + socket
                        + ": no such socket (is the agent running?)\n");
    }

    @Test
    void fetchX509_badTimeout_isRejectedBeforeConnecting() {
        int exit = run("api", "fetch", "x509", "-timeout", "5 parsecs");

        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("invalid duration '5 parsecs'");
    }

    @Test
    void watch_printsALinePerUpdate() throws Exception {
        IssuedSvid first = PKI.svid("/orders", "");
        FakeWorkloadIdentitySource source = new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(first));
        Path socket = serve(SelectorSet.of(ORDERS), source);

        CompletableFuture<Integer> exit =
                CompletableFuture.supplyAsync(() -> run("api", "watch", "-socketPath", socket.toString()));
        awaitLines(1);
        IssuedSvid rotated = PKI.svid("/orders", "");
        source.publish(PKI.snapshot(rotated));
        awaitLines(2);

        String[] lines = out.toString().split("\n");
        assertThat(lines[0])
                .contains("received 1 svid(s): spiffe://example.org/orders serial="
                        + first.leaf().getSerialNumber().toString(16));
        assertThat(lines[1])
                .contains("serial=" + rotated.leaf().getSerialNumber().toString(16));

        server.close(); // the agent goes away: watch reports it and fails
        server = null;
        assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(err.toString()).startsWith("error: watching X509-SVIDs:");
    }

    @Test
    void healthcheck_agentHoldingAValidSvid_isHealthy_evenForACallerWithNoIdentity() throws Exception {
        Path socket = serve(
                SelectorSet.of(Selector.parse("unix:uid:4242")),
                new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(PKI.svid("/orders", ""))));

        int exit = run("healthcheck", "-socketPath", socket.toString());

        assertThat(exit).isZero();
        assertThat(out.toString()).isEqualTo("Agent is healthy.\n");
    }

    @Test
    void healthcheck_agentWhoseSvidExpired_isUnhealthy_sayingWhy() throws Exception {
        agentHoldsValidSvid = false;
        Path socket = serve(SelectorSet.of(ORDERS), new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot()));

        int exit = run("healthcheck", "-socketPath", socket.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString())
                .isEqualTo("Agent is unhealthy: " + HealthcheckCommand.NO_AGENT_SVID + "\n")
                .contains("no valid agent SVID");
    }

    @Test
    void healthcheck_somethingOnTheSocketWithoutHealth_isUnhealthy() throws Exception {
        Path socket = dir.resolve("agent/api.sock");
        server = WorkloadApiEndpoint.start(
                socket, new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot()), pid -> SelectorSet.of(ORDERS));

        int exit = run("healthcheck", "-socketPath", socket.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).startsWith("Agent is unhealthy: ").contains("serves no grpc.health.v1");
    }

    @Test
    void healthcheck_noAgent_isUnhealthy() {
        int exit = run("healthcheck", "-socketPath", dir.resolve("none.sock").toString(), "-timeout", "2s");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString())
                .startsWith("Agent is unhealthy: cannot reach the Workload API")
                .hasLineCount(1);
    }

    @Test
    void healthcheckWait_noAgentWithinTheWait_exits1_withOneLineSayingWhy() {
        long start = System.nanoTime();

        int exit = run("healthcheck", "-socketPath", dir.resolve("none.sock").toString(), "-wait", "1s");

        assertThat(exit).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(err.toString())
                .startsWith("Agent is unhealthy after 1s: cannot reach the Workload API")
                .hasLineCount(1);
    }

    @Test
    void healthcheckWait_agentStartingDuringTheWait_isHealthy() throws Exception {
        Path socket = dir.resolve("agent/api.sock");
        CompletableFuture<Path> starting = CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(1500);
                return serve(SelectorSet.of(ORDERS), new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot()));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });

        int exit = run("healthcheck", "-socketPath", socket.toString(), "-wait", "60s");

        assertThat(starting.get(60, TimeUnit.SECONDS)).isEqualTo(socket);
        assertThat(err.toString()).isEmpty();
        assertThat(exit).isZero();
        assertThat(out.toString()).isEqualTo("Agent is healthy.\n");
    }

    @Test
    void socketAddress_flagThenEnvironmentThenDefault() {
        Map<String, String> env = Map.of(WorkloadApiClient.ENDPOINT_ENV, "unix:///run/spire/api.sock");

        assertThat(WorkloadApiClient.resolveSocket("/flag/api.sock", env)).isEqualTo(Path.of("/flag/api.sock"));
        assertThat(WorkloadApiClient.resolveSocket(null, env)).isEqualTo(Path.of("/run/spire/api.sock"));
        assertThat(WorkloadApiClient.resolveSocket(null, Map.of()))
                .isEqualTo(Path.of(WorkloadApiClient.DEFAULT_SOCKET));
    }

    // --- helpers

    /** The Workload API and the agent's health, as the agent serves them on its socket. */
    private Path serve(SelectorSet callerSelectors, FakeWorkloadIdentitySource source) {
        Path socket = dir.resolve("agent/api.sock");
        server = UnixSocketServer.start(
                socket,
                List.of(
                        WorkloadApiEndpoint.service(source, pid -> callerSelectors),
                        new AgentHealthService(() -> agentHoldsValidSvid).bindService()));
        return socket;
    }

    /** Runs the commands as AgentMain registers them: {@code api ...} and {@code healthcheck}. */
    private int run(String... args) {
        @CommandLine.Command(
                name = "agent",
                subcommands = {ApiCommand.class, HealthcheckCommand.class})
        class Root {}
        CommandLine commandLine = new CommandLine(new Root());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private void awaitLines(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (out.toString().split("\n").length < count || out.toString().isEmpty()) {
            assertThat(System.nanoTime())
                    .as("%d line(s) within 10s, got: %s / %s", count, out, err)
                    .isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    private static boolean signsFor(PrivateKey key, IssuedSvid svid) throws Exception {
        byte[] data = {1, 2, 3};
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(data);
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(svid.leaf().getPublicKey());
        verifier.update(data);
        return verifier.verify(signer.sign());
    }
}
