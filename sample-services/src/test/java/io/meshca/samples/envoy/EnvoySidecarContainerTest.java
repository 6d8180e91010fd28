package io.meshca.samples.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.samples.testing.InProcessMesh;
import io.meshca.samples.tls.PeerPolicy;
import io.meshca.server.testing.TestServer;
import io.spiffe.provider.SpiffeKeyManager;
import io.spiffe.provider.SpiffeTrustManager;
import io.spiffe.workloadapi.DefaultX509Source;
import io.spiffe.workloadapi.X509Source;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A real Envoy, run from the payments-sidecar sample bootstrap, gets its certificate and trust bundle
 * over SDS from a real agent (in this JVM) and enforces "only orders may call payments": a client
 * with the orders X509-SVID reaches the plaintext backend, a client with another SVID of the same
 * trust domain does not.
 *
 * <p>Envoy shares this machine's network and sees the agent socket through a bind mount of its
 * directory; it runs as this process's uid, which is what the registration entries select. So it
 * needs a local Docker engine; without one the class is skipped.
 */
@Testcontainers(disabledWithoutDocker = true)
class EnvoySidecarContainerTest {

    static final DockerImageName ENVOY = DockerImageName.parse("envoyproxy/envoy:v1.31-latest");
    static final String INVENTORY = "spiffe://example.org/inventory";
    private static final SpiffeId NODE = SpiffeId.parse("spiffe://example.org/node/envoy-test");
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String CONTAINER_BOOTSTRAP = "/etc/envoy/payments-sidecar.json";

    @TempDir
    static Path dir;

    private static InProcessMesh mesh;
    private static TestServer server;
    private static RunningAgent agent;
    private static Backend payments;
    private static GenericContainer<?> envoy;
    private static int sidecarPort;

    @BeforeAll
    static void startMeshBackendAndEnvoy() throws Exception {
        mesh = InProcessMesh.start(dir, NODE);
        server = mesh.server();
        agent = mesh.agent();

        // Envoy runs as this uid, so it is entitled to all three; its bootstrap asks for payments by name.
        SelectorSet thisUid = InProcessMesh.thisUid();
        for (String id :
                new String[] {EnvoySampleBootstrapsTest.ORDERS, EnvoySampleBootstrapsTest.PAYMENTS, INVENTORY}) {
            server.createEntry(SpiffeId.parse(id), NODE, thisUid, TTL);
        }

        payments = Backend.start();
        sidecarPort = freePort();
        Path bootstrap = dir.resolve("payments-sidecar.json");
        Files.writeString(
                bootstrap,
                EnvoyBootstraps.toJson(forThisMachine(
                        EnvoyBootstraps.load(EnvoyBootstraps.PAYMENTS_SIDECAR),
                        agent.socketPath(),
                        sidecarPort,
                        payments.port(),
                        freePort())));

        String socketDir = agent.socketPath().getParent().toString();
        String user = uid() + ":" + gid();
        envoy = new GenericContainer<>(ENVOY)
                .withNetworkMode("host")
                .withFileSystemBind(socketDir, socketDir, BindMode.READ_WRITE)
                .withCopyFileToContainer(MountableFile.forHostPath(bootstrap, 0644), CONTAINER_BOOTSTRAP)
                // envoy directly, not the image's entrypoint, which would switch to its own "envoy" user
                .withCreateContainerCmdModifier(cmd -> cmd.withUser(user).withEntrypoint("/usr/local/bin/envoy"))
                .withCommand("-c", CONTAINER_BOOTSTRAP, "--log-level", "info", "--disable-hot-restart")
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("envoy")))
                // (?s): a log frame ends with its newline, which "." would not match otherwise
                .waitingFor(Wait.forLogMessage("(?s).*starting main dispatch loop.*", 1)
                        .withStartupTimeout(DEADLINE));
        envoy.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (envoy != null) {
            envoy.stop();
        }
        if (payments != null) {
            payments.close();
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void ordersGetsThrough_andAnotherIdentityIsRefused() throws Exception {
        try (X509Source orders = sourceFor(EnvoySampleBootstrapsTest.ORDERS);
                X509Source inventory = sourceFor(INVENTORY)) {
            // the listener serves once Envoy holds the payments SVID and ROOTCA from the agent
            assertThat(awaitReply(clientTls(orders), "order-1")).isEqualTo("paid:order-1");
            int served = payments.served();

            Optional<String> reply = tryExchange(clientTls(inventory), "order-2");

            assertThat(reply)
                    .as("Envoy must refuse a client whose SAN is not the orders SPIFFE ID")
                    .isEmpty();
            assertThat(payments.served()).as("nothing reached payments").isEqualTo(served);
        }
    }

    /** The sample bootstrap with this test's socket and ports: Envoy shares the host network. */
    private static Bootstrap forThisMachine(
            Bootstrap sample, Path socket, int listenerPort, int backendPort, int adminPort) {
        Bootstrap.Builder bootstrap = sample.toBuilder();
        bootstrap
                .getAdminBuilder()
                .getAddressBuilder()
                .getSocketAddressBuilder()
                .setPortValue(adminPort);
        bootstrap
                .getStaticResourcesBuilder()
                .getListenersBuilder(0)
                .getAddressBuilder()
                .getSocketAddressBuilder()
                .setAddress("127.0.0.1")
                .setPortValue(listenerPort);
        for (Cluster.Builder cluster : bootstrap.getStaticResourcesBuilder().getClustersBuilderList()) {
            Address.Builder address = cluster.getLoadAssignmentBuilder()
                    .getEndpointsBuilder(0)
                    .getLbEndpointsBuilder(0)
                    .getEndpointBuilder()
                    .getAddressBuilder();
            switch (cluster.getName()) {
                case EnvoySampleBootstrapsTest.SDS_CLUSTER ->
                    address.getPipeBuilder().setPath(socket.toString());
                case "payments_local" -> address.getSocketAddressBuilder().setPortValue(backendPort);
                default -> throw new AssertionError("unexpected cluster in the sample: " + cluster.getName());
            }
        }
        return bootstrap.build();
    }

    /** Presents the source's SVID; accepts only a server with the payments SVID. */
    private static SSLContext clientTls(X509Source source) throws Exception {
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(
                new KeyManager[] {new SpiffeKeyManager(source)},
                new TrustManager[] {
                    new SpiffeTrustManager(
                            source,
                            PeerPolicy.only(
                                    "test client",
                                    io.spiffe.spiffeid.SpiffeId.parse(EnvoySampleBootstrapsTest.PAYMENTS)))
                },
                null);
        return tls;
    }

    private static String awaitReply(SSLContext tls, String request) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Optional<String> reply = Optional.empty();
        while (reply.isEmpty() && System.nanoTime() < deadline) {
            reply = tryExchange(tls, request);
            if (reply.isEmpty()) {
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
        return reply.orElseThrow(() -> new AssertionError("no reply through Envoy within " + DEADLINE));
    }

    /** One request line through the sidecar; empty if the connection or the handshake fails. */
    private static Optional<String> tryExchange(SSLContext tls, String request) {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", sidecarPort)) {
            socket.setSoTimeout(5_000);
            socket.startHandshake();
            Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
            out.write(request + "\n");
            out.flush();
            // with TLS 1.3 the server judges the client certificate after the client's handshake is
            // done, so a refusal shows up here, as an alert or a closed stream
            return Optional.ofNullable(
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                            .readLine());
        } catch (IOException e) {
            LoggerFactory.getLogger(EnvoySidecarContainerTest.class).debug("exchange failed: {}", e.toString());
            return Optional.empty();
        }
    }

    private static X509Source sourceFor(String spiffeId) throws Exception {
        return DefaultX509Source.newSource(DefaultX509Source.X509SourceOptions.builder()
                .spiffeSocketPath("unix://" + agent.socketPath())
                .initTimeout(DEADLINE)
                .svidPicker(svids -> svids.stream()
                        .filter(s -> s.getSpiffeId().toString().equals(spiffeId))
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException("no SVID for " + spiffeId)))
                .build());
    }

    private static long uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    private static long gid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** payments in plaintext: answers each request line with "paid:" and the line, and counts them. */
    private static final class Backend implements AutoCloseable {

        private final ServerSocket socket;
        private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "payments-backend");
            thread.setDaemon(true);
            return thread;
        });
        private final AtomicInteger served = new AtomicInteger();

        private Backend(ServerSocket socket) {
            this.socket = socket;
        }

        static Backend start() throws IOException {
            Backend backend = new Backend(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
            backend.threads.execute(backend::acceptAll);
            return backend;
        }

        int port() {
            return socket.getLocalPort();
        }

        int served() {
            return served.get();
        }

        private void acceptAll() {
            while (!socket.isClosed()) {
                try {
                    Socket connection = socket.accept();
                    threads.execute(() -> answer(connection));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void answer(Socket connection) {
            try (connection) {
                String line = new BufferedReader(
                                new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                if (line != null) {
                    served.incrementAndGet();
                    Writer out = new OutputStreamWriter(connection.getOutputStream(), StandardCharsets.UTF_8);
                    out.write("paid:" + line + "\n");
                    out.flush();
                }
            } catch (IOException e) {
                // the client went away; nothing to answer
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            threads.shutdownNow();
        }
    }
}
