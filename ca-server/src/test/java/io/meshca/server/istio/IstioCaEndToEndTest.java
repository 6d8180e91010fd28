package io.meshca.server.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Csrs;
import io.meshca.common.pki.Keys;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.meshca.common.tls.SvidKeyManager;
import io.meshca.common.tls.TlsIdentity;
import io.meshca.proto.istio.IstioCertificateRequest;
import io.meshca.proto.istio.IstioCertificateResponse;
import io.meshca.proto.istio.IstioCertificateServiceGrpc;
import io.meshca.server.config.IstioCaConfig;
import io.meshca.server.k8s.TestTokenIssuer;
import io.meshca.server.testing.TestServer;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ca-server with an {@code istioCa} listener on a real socket, called the way istio-agent calls it: a
 * gRPC stub over TLS that trusts only meshca's bundle and verifies the hostname, a PEM CSR, and a
 * Kubernetes service-account token from a test issuer (its own EC key, its JWKS in a file).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IstioCaEndToEndTest {

    static final String HOST = "meshca.meshca-system.svc";
    static final String K8S = "https://kubernetes.default.svc.cluster.local";
    static final Duration DEFAULT_TTL = Duration.ofHours(2);
    static final Duration MAX_TTL = Duration.ofHours(6);
    static final TrustDomain TD = TrustDomain.parse("istio.test");

    private final TestTokenIssuer k8s = new TestTokenIssuer(K8S, "k8s-key-1");
    private Path dir;
    private TestServer server;
    private KeyPair ecKey;
    private KeyPair rsaKey;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("istio-ca-e2e");
        Path jwks = k8s.writeJwks(dir.resolve("k8s-jwks.json"));
        server = TestServer.start(TestServer.config(dir)
                .trustDomain(TD)
                .istioCa(new IstioCaConfig(
                        "127.0.0.1",
                        0,
                        List.of(HOST),
                        DEFAULT_TTL,
                        MAX_TTL,
                        List.of(new IstioCaConfig.TrustedIssuer(K8S, jwks, null, List.of("istio-ca")))))
                .build());
        ecKey = Keys.generateEcP256();
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        rsaKey = rsa.generateKeyPair();
    }

    @AfterEach
    void closeChannels() throws InterruptedException {
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        channels.clear();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    // --- istio-agent's side --------------------------------------------------------------------------

    private IstioCertificateServiceGrpc.IstioCertificateServiceBlockingStub stub(
            String authority, TlsIdentity clientCert, String bearer) throws Exception {
        SslContextBuilder tls =
                GrpcSslContexts.forClient().trustManager(server.trustBundle().toArray(X509Certificate[]::new));
        if (clientCert != null) {
            // presents the certificate whatever issuers the server names, as a misconfigured client would
            tls.keyManager(new SvidKeyManager(() -> clientCert));
        }
        SslContext ssl = tls.build();
        ManagedChannel channel = NettyChannelBuilder.forAddress(
                        "127.0.0.1", server.istioCaPort().orElseThrow())
                .overrideAuthority(authority)
                .sslContext(ssl)
                .build();
        channels.add(channel);
        var stub = IstioCertificateServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("ClusterID", Metadata.ASCII_STRING_MARSHALLER), "Kubernetes");
        if (bearer != null) {
            headers.put(IstioAuthenticationInterceptor.AUTHORIZATION, "Bearer " + bearer);
        }
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private IstioCertificateServiceGrpc.IstioCertificateServiceBlockingStub withToken(String token) throws Exception {
        return stub(HOST, null, token);
    }

    private static IstioCertificateRequest request(byte[] csrDer, long validitySeconds) {
        return IstioCertificateRequest.newBuilder()
                .setCsr(Pem.encodeCsr(csrDer))
                .setValidityDuration(validitySeconds)
                .setMetadata(Struct.newBuilder()
                        .putFields(
                                "ClusterID",
                                Value.newBuilder().setStringValue("Kubernetes").build()))
                .build();
    }

    private static List<X509Certificate> certificates(IstioCertificateResponse response) {
        List<X509Certificate> out = new ArrayList<>();
        for (String pem : response.getCertChainList()) {
            List<X509Certificate> one = Pem.decodeCertificates(pem);
            assertThat(one).as("one certificate per element").hasSize(1);
            out.add(one.get(0));
        }
        return out;
    }

    /** The chain verifies (PKIX) to its last element, which is a root of meshca's bundle. */
    private List<X509Certificate> verifiedChain(IstioCertificateResponse response) throws Exception {
        List<X509Certificate> chain = certificates(response);
        assertThat(chain.size()).isGreaterThanOrEqualTo(2);
        X509Certificate root = chain.get(chain.size() - 1);
        assertThat(server.trustBundle()).contains(root);
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX")
                .validate(
                        CertificateFactory.getInstance("X.509").generateCertPath(chain.subList(0, chain.size() - 1)),
                        params);
        return chain;
    }

    private static SpiffeId leafId(List<X509Certificate> chain) {
        return Certificates.spiffeId(chain.get(0)).orElseThrow();
    }

    // --- issuance -----------------------------------------------------------------------------------------

    Stream<Arguments> keysAndClaimForms() {
        return Stream.of(
                Arguments.of("EC P-256", "projected"),
                Arguments.of("EC P-256", "legacy"),
                Arguments.of("RSA 2048", "projected"),
                Arguments.of("RSA 2048", "legacy"));
    }

    @ParameterizedTest(name = "{0} CSR, {1} token claims")
    @MethodSource("keysAndClaimForms")
    void pemCsrWithServiceAccountToken_getsChainToTheBundleForThatServiceAccount(String keyType, String claimForm)
            throws Exception {
        KeyPair key = keyType.startsWith("RSA") ? rsaKey : ecKey;
        JWTClaimsSet.Builder claims = claimForm.equals("projected")
                ? k8s.projected("shop", "checkout", "istio-ca")
                : k8s.legacy("shop", "checkout", "istio-ca");

        List<X509Certificate> chain =
                verifiedChain(withToken(k8s.sign(claims)).createCertificate(request(Csrs.create(key), 0)));

        assertThat(leafId(chain)).isEqualTo(SpiffeId.parse("spiffe://istio.test/ns/shop/sa/checkout"));
        assertThat(chain.get(0).getPublicKey()).isEqualTo(key.getPublic());
    }

    @Test
    void csrClaimingAnotherIdentity_getsTheCallersIdentity() throws Exception {
        byte[] csr = io.meshca.server.testing.Csrs.withExtensions(
                ecKey, "CN=admin", false, "spiffe://istio.test/ns/kube-system/sa/admin");

        List<X509Certificate> chain =
                verifiedChain(withToken(k8s.token("shop", "checkout")).createCertificate(request(csr, 0)));

        assertThat(leafId(chain)).isEqualTo(SpiffeId.parse("spiffe://istio.test/ns/shop/sa/checkout"));
        assertThat(chain.get(0).getSubjectAlternativeNames()).hasSize(1);
    }

    // --- caller authentication ----------------------------------------------------------------------------

    Stream<Arguments> rejectedTokens() throws Exception {
        Instant past = Instant.now().minus(Duration.ofHours(1));
        var otherKey = new ECKeyGenerator(Curve.P_256).keyID("k8s-key-1").generate();
        TestTokenIssuer stranger = new TestTokenIssuer("https://elsewhere.example", "k8s-key-1");
        TestTokenIssuer unknownKid = new TestTokenIssuer(K8S, "k8s-key-2");
        return Stream.of(
                Arguments.of("no token", null),
                Arguments.of("not a JWT", "not-a-jwt"),
                Arguments.of(
                        "expired",
                        k8s.sign(k8s.projected("shop", "checkout", "istio-ca")
                                .issueTime(Date.from(past.minus(Duration.ofHours(1))))
                                .notBeforeTime(Date.from(past.minus(Duration.ofHours(1))))
                                .expirationTime(Date.from(past)))),
                Arguments.of(
                        "wrong audience",
                        k8s.sign(k8s.projected("shop", "checkout", "https://kubernetes.default.svc"))),
                Arguments.of("unknown issuer", stranger.token("shop", "checkout")),
                Arguments.of("bad signature", k8s.sign(k8s.projected("shop", "checkout", "istio-ca"), otherKey)),
                Arguments.of("unknown kid", unknownKid.token("shop", "checkout")),
                Arguments.of(
                        "no service account",
                        k8s.sign(new JWTClaimsSet.Builder()
                                .issuer(K8S)
                                .audience("istio-ca")
                                .subject("someone")
                                .expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(5)))))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedTokens")
    void callerWithoutAValidToken_isUnauthenticated(String why, String token) throws Exception {
        var stub = withToken(token);
        byte[] csr = Csrs.create(ecKey);

        assertThatThrownBy(() -> stub.createCertificate(request(csr, 0)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription())
                            .isEqualTo(IstioAuthenticationInterceptor.UNAUTHENTICATED_DESCRIPTION);
                });
    }

    @Test
    void clientCertificateFromMeshca_authenticatesAsItsSpiffeId() throws Exception {
        KeyPair key = Keys.generateEcP256();
        List<X509Certificate> first =
                certificates(withToken(k8s.token("shop", "cart")).createCertificate(request(Csrs.create(key), 0)));
        TlsIdentity svid = new TlsIdentity(key.getPrivate(), first.subList(0, first.size() - 1));

        List<X509Certificate> renewed =
                verifiedChain(stub(HOST, svid, null).createCertificate(request(Csrs.create(ecKey), 0)));

        assertThat(leafId(renewed)).isEqualTo(SpiffeId.parse("spiffe://istio.test/ns/shop/sa/cart"));
    }

    @Test
    void clientCertificateFromAnotherCa_isRefused() throws Exception {
        TestPki.Leaf foreign = TestPki.root(TD).leaf(SpiffeId.parse("spiffe://istio.test/ns/shop/sa/cart"));
        var stub = stub(HOST, foreign.identity(), null);

        // The handshake itself fails (without a certificate, the call would reach the server: UNAUTHENTICATED).
        assertThatThrownBy(() -> stub.createCertificate(request(Csrs.create(ecKey), 0)))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void servingCertificate_isIssuedByMeshca_forTheServerIdAndTheDnsNames() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        for (X509Certificate root : server.trustBundle()) {
            trust.setCertificateEntry("root-" + root.getSerialNumber(), root);
        }
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);

        X509Certificate served;
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory()
                .createSocket("127.0.0.1", server.istioCaPort().orElseThrow())) {
            SSLParameters params = socket.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName(HOST)));
            socket.setSSLParameters(params);
            socket.startHandshake();
            served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }

        assertThat(Certificates.spiffeId(served)).contains(server.serverId());
        assertThat(served.getSubjectAlternativeNames()).contains(List.of(2, HOST)); // 2: dNSName
    }

    @Test
    void servingCertificate_failsHostnameVerificationForAnotherName() throws Exception {
        var stub = stub("istiod.istio-system.svc", null, k8s.token("shop", "checkout"));

        assertThatThrownBy(() -> stub.createCertificate(request(Csrs.create(ecKey), 0)))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    // --- request checks -----------------------------------------------------------------------------------

    private static Duration lifetime(X509Certificate leaf) {
        return Duration.between(
                leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
    }

    @Test
    void validityZero_getsTheDefault_withinMax_isHonoured() throws Exception {
        var stub = withToken(k8s.token("shop", "checkout"));

        Duration byDefault = lifetime(certificates(stub.createCertificate(request(Csrs.create(ecKey), 0)))
                .get(0));
        Duration asked = lifetime(certificates(stub.createCertificate(request(Csrs.create(ecKey), 3 * 3600)))
                .get(0));

        assertThat(byDefault).isBetween(DEFAULT_TTL, DEFAULT_TTL.plusSeconds(11));
        assertThat(asked).isBetween(Duration.ofHours(3), Duration.ofHours(3).plusSeconds(11));
    }

    @Test
    void validityAboveMax_isInvalidArgumentNamingBoth() throws Exception {
        var stub = withToken(k8s.token("shop", "checkout"));

        assertThatThrownBy(() -> stub.createCertificate(request(Csrs.create(ecKey), 7 * 3600)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription())
                            .contains("25200s")
                            .contains("21600s");
                });
    }

    Stream<Arguments> badCsrs() {
        byte[] der = Csrs.create(Keys.generateEcP256());
        String pem = Pem.encodeCsr(der);
        return Stream.of(
                Arguments.of("empty", ""),
                Arguments.of("DER in base64, not PEM", Base64.getEncoder().encodeToString(der)),
                Arguments.of("a certificate", Pem.encodeCertificates(server.trustBundle())),
                Arguments.of("two requests", pem + pem),
                Arguments.of(
                        "a request and a key",
                        pem + Pem.encodePrivateKey(Keys.generateEcP256().getPrivate())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCsrs")
    void csrThatIsNotOnePemRequest_isInvalidArgument(String why, String csr) throws Exception {
        var stub = withToken(k8s.token("shop", "checkout"));

        assertThatThrownBy(() -> stub.createCertificate(
                        IstioCertificateRequest.newBuilder().setCsr(csr).build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void listenerIsAbsentWithoutTheConfigBlock() throws Exception {
        Path other = Files.createTempDirectory("istio-ca-none");
        try (TestServer plain = TestServer.start(other)) {
            assertThat(plain.istioCaPort()).isEmpty();
        }
    }
}
