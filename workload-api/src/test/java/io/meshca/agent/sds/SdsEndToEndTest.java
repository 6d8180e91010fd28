package io.meshca.agent.sds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.secret.v3.SecretDiscoveryServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.EnvoyLikeSdsClient;
import io.meshca.agent.testing.Poll;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SDS v3 as Envoy uses it: a real ca-server, a real agent, and an xDS client built from Envoy's
 * generated stubs talking to the agent's unix socket without the Workload API's security header.
 * The entry selects this test JVM by its uid and has a 4 s X509-SVID TTL, so rotations come every
 * couple of seconds.
 */
class SdsEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** How long "nothing arrives" is watched for: a wrongly re-sent response would come at once. */
    private static final Duration QUIET = Duration.ofMillis(1200);

    private static final String TYPE_URL = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

    @TempDir
    static Path dir;

    private static TestServer server;
    private static RunningAgent agent;
    private static SelectorSet me;
    private static SpiffeId workloadId;

    private ManagedChannel channel;

    @BeforeAll
    static void startServerAndAgent() throws Exception {
        server = TestServer.start(dir);
        Files.writeString(dir.resolve("bundle.pem"), server.trustBundlePem());
        agent = startAgent("agent", AgentConfig.builder());
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        me = SelectorSet.of(Selector.parse("unix:uid:" + uid));
        workloadId = SpiffeId.parse("spiffe://" + server.trustDomain().name() + "/sds/workload");
        server.createEntry(workloadId, agent.agentId(), me, Duration.ofSeconds(4));
        Poll.until("an SVID for the test JVM", WAIT, () -> agent.firstSvidOrNull());
    }

    private static RunningAgent startAgent(String name, AgentConfig.Builder config) {
        RunningAgent started =
                RunningAgent.start(config.trustDomain(server.trustDomain().name())
                        .serverAddress("127.0.0.1")
                        .serverPort(server.agentApiPort())
                        .socketPath(dir.resolve(name + "-sock/api.sock"))
                        .trustBundle(dir.resolve("bundle.pem"))
                        .dataDir(dir.resolve(name))
                        .joinToken(server.generateJoinToken(Duration.ofMinutes(10), Optional.empty()))
                        .build());
        assertThat(started.awaitSynced(WAIT)).isTrue();
        return started;
    }

    @AfterAll
    static void stopServerAndAgent() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void connect() {
        channel = UnixSockets.channel(agent.socketPath());
    }

    @AfterEach
    void disconnect() {
        UnixSockets.shutdown(channel);
    }

    @Test
    void defaultSvid_isServedWithVersionAndNonce_andARotationIsPushedAfterTheAck() throws Exception {
        EnvoyLikeSdsClient envoy = EnvoyLikeSdsClient.open(channel, WAIT);
        envoy.send(request("", List.of("default")));

        DiscoveryResponse first = envoy.next();
        assertThat(first.getTypeUrl()).isEqualTo(TYPE_URL);
        assertThat(first.getVersionInfo()).isNotEmpty();
        assertThat(first.getNonce()).isNotEmpty();
        assertThat(first.getResourcesList()).hasSize(1);
        assertThat(first.getResources(0).getTypeUrl()).isEqualTo(TYPE_URL);
        Secret secret = unpack(first).get(0);
        assertThat(secret.getName()).isEqualTo("default");
        X509Certificate leaf = leafWithMatchingKey(secret);
        assertThat(Certificates.spiffeId(leaf)).contains(workloadId);

        envoy.send(ack(first));
        DiscoveryResponse pushed = envoy.next();
        X509Certificate rotated = leafWithMatchingKey(unpack(pushed).get(0));
        assertThat(rotated.getSerialNumber()).isNotEqualTo(leaf.getSerialNumber());
        assertThat(Certificates.spiffeId(rotated)).contains(workloadId);
        assertThat(pushed.getVersionInfo()).isNotEqualTo(first.getVersionInfo());
        assertThat(pushed.getNonce()).isNotEqualTo(first.getNonce());
        envoy.send(ack(pushed));
        envoy.close();
    }

    @Test
    void bundles_aNackIsNotAnsweredByResending_aStaleNonceIsIgnored_newNamesAreAnswered() throws Exception {
        EnvoyLikeSdsClient envoy = EnvoyLikeSdsClient.open(channel, WAIT);
        envoy.send(request("", List.of("ROOTCA")));
        DiscoveryResponse first = envoy.next();
        Secret rootCa = unpack(first).get(0);
        assertThat(rootCa.getName()).isEqualTo("ROOTCA");
        assertThat(pem(rootCa.getValidationContext().getTrustedCa())).containsExactlyElementsOf(server.trustBundle());

        envoy.send(ack(first).toBuilder()
                .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage("rejected by the test"))
                .build());
        assertThat(envoy.poll(QUIET)).as("nothing is re-sent after a NACK").isNull();

        envoy.send(request("not-the-last-nonce", List.of("ROOTCA", "ALL")));
        assertThat(envoy.poll(QUIET)).as("a stale nonce is ignored").isNull();

        String ownId = server.trustDomain().id().toString();
        envoy.send(request(first.getNonce(), List.of("ROOTCA", "ALL", ownId)));
        List<Secret> secrets = unpack(envoy.next());
        assertThat(secrets).extracting(Secret::getName).containsExactly("ROOTCA", "ALL", ownId);
        assertThat(secrets.get(2).getValidationContext()).isEqualTo(rootCa.getValidationContext());
        var validator = secrets.get(1).getValidationContext().getCustomValidatorConfig();
        assertThat(validator.getName()).isEqualTo("envoy.tls.cert_validator.spiffe");
        SPIFFECertValidatorConfig config = validator.getTypedConfig().unpack(SPIFFECertValidatorConfig.class);
        assertThat(config.getTrustDomainsList())
                .extracting(SPIFFECertValidatorConfig.TrustDomain::getName)
                .containsExactly(server.trustDomain().name());
        assertThat(pem(config.getTrustDomains(0).getTrustBundle())).containsExactlyElementsOf(server.trustBundle());
        envoy.close();
    }

    @Test
    void anotherWorkloadsSvid_orAnotherType_isInvalidArgument_namingIt() throws Exception {
        String someoneElse = "spiffe://" + server.trustDomain().name() + "/someone/else";
        EnvoyLikeSdsClient forbidden = EnvoyLikeSdsClient.open(channel, WAIT);
        forbidden.send(request("", List.of("default", someoneElse)));
        assertThat(forbidden.error().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(forbidden.error().getDescription()).contains(someoneElse);

        String clusterType = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
        EnvoyLikeSdsClient wrongType = EnvoyLikeSdsClient.open(channel, WAIT);
        wrongType.send(request("", List.of("default")).toBuilder()
                .setTypeUrl(clusterType)
                .build());
        assertThat(wrongType.error().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(wrongType.error().getDescription()).contains(clusterType);
    }

    @Test
    void fetchSecrets_answersOnce_deltaIsUnimplemented() {
        var stub = SecretDiscoveryServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS);

        DiscoveryResponse fetched = stub.fetchSecrets(request("", List.of("default", "ROOTCA")));

        assertThat(fetched.getVersionInfo()).isNotEmpty();
        assertThat(fetched.getNonce()).isNotEmpty();
        List<Secret> secrets = unpack(fetched);
        assertThat(secrets).extracting(Secret::getName).containsExactly("default", "ROOTCA");
        assertThat(Certificates.spiffeId(leafWithMatchingKey(secrets.get(0)))).contains(workloadId);
        assertThatThrownBy(() -> stub.fetchSecrets(request("", List.of("default")).toBuilder()
                        .setTypeUrl("x")
                        .build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));

        BlockingQueue<Throwable> deltaError = new LinkedBlockingQueue<>();
        SecretDiscoveryServiceGrpc.newStub(channel)
                .deltaSecrets(new StreamObserver<>() {
                    @Override
                    public void onNext(DeltaDiscoveryResponse value) {}

                    @Override
                    public void onError(Throwable error) {
                        deltaError.add(error);
                    }

                    @Override
                    public void onCompleted() {}
                })
                .onNext(DeltaDiscoveryRequest.newBuilder().setTypeUrl(TYPE_URL).build());
        assertThat(Status.fromThrowable(poll(deltaError)).getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }

    @Test
    void withSpiffeCertValidationDisabled_allIsTrustedCa_andACallerWithoutEntryIsDenied() throws Exception {
        RunningAgent plain = startAgent("plain", AgentConfig.builder().sdsDisableSpiffeCertValidation(true));
        ManagedChannel plainChannel = UnixSockets.channel(plain.socketPath());
        try {
            var stub = SecretDiscoveryServiceGrpc.newBlockingStub(plainChannel)
                    .withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThatThrownBy(() -> stub.fetchSecrets(request("", List.of("ALL"))))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                        assertThat(e.getStatus().getDescription()).isEqualTo("no identity issued");
                    });

            server.createEntry(
                    SpiffeId.parse("spiffe://" + server.trustDomain().name() + "/sds/plain"),
                    plain.agentId(),
                    me,
                    Duration.ofMinutes(5));
            Poll.until("an SVID from the second agent", WAIT, () -> plain.firstSvidOrNull());
            Secret all = unpack(stub.fetchSecrets(request("", List.of("ALL")))).get(0);

            assertThat(all.getValidationContext().hasCustomValidatorConfig()).isFalse();
            assertThat(pem(all.getValidationContext().getTrustedCa())).containsExactlyElementsOf(server.trustBundle());
        } finally {
            UnixSockets.shutdown(plainChannel);
            plain.close();
        }
    }

    private static DiscoveryRequest request(String nonce, List<String> names) {
        return DiscoveryRequest.newBuilder()
                .setTypeUrl(TYPE_URL)
                .setResponseNonce(nonce)
                .addAllResourceNames(names)
                .build();
    }

    /** What Envoy sends after applying a response: its version and nonce, the same names. */
    private static DiscoveryRequest ack(DiscoveryResponse response) throws InvalidProtocolBufferException {
        DiscoveryRequest.Builder ack = DiscoveryRequest.newBuilder()
                .setTypeUrl(TYPE_URL)
                .setVersionInfo(response.getVersionInfo())
                .setResponseNonce(response.getNonce());
        for (var resource : response.getResourcesList()) {
            ack.addResourceNames(resource.unpack(Secret.class).getName());
        }
        return ack.build();
    }

    private static List<Secret> unpack(DiscoveryResponse response) {
        return response.getResourcesList().stream()
                .map(any -> {
                    try {
                        return any.unpack(Secret.class);
                    } catch (InvalidProtocolBufferException e) {
                        throw new AssertionError(e);
                    }
                })
                .toList();
    }

    private static List<X509Certificate> pem(DataSource source) {
        return Pem.decodeCertificates(source.getInlineBytes().toString(StandardCharsets.US_ASCII));
    }

    /** The leaf of the secret's chain, after proving the secret's key signs for it. */
    private static X509Certificate leafWithMatchingKey(Secret secret) {
        List<X509Certificate> chain = pem(secret.getTlsCertificate().getCertificateChain());
        PrivateKey key = Pem.decodePrivateKey(
                secret.getTlsCertificate().getPrivateKey().getInlineBytes().toString(StandardCharsets.US_ASCII));
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(key);
            signer.update(new byte[] {1, 2, 3});
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(chain.get(0).getPublicKey());
            verifier.update(new byte[] {1, 2, 3});
            assertThat(verifier.verify(signature))
                    .as("the key belongs to the leaf")
                    .isTrue();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
        return chain.get(0);
    }

    private static <T> T poll(BlockingQueue<T> queue) {
        try {
            T value = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(value).as("something within " + WAIT.toSeconds() + "s").isNotNull();
            return value;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Polls a condition on real time until a deadline. */
}
