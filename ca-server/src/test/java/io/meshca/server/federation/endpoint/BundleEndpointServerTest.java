package io.meshca.server.federation.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.bundle.SpiffeBundleCodec;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BundleEndpointServerTest {

    private static final TrustDomain TD = TrustDomain.parse("a.test");
    private static final SpiffeBundle BUNDLE =
            new SpiffeBundle(TD, List.of(TestPki.root(TD).certificate()), List.of(), 9, Duration.ofSeconds(30));
    private static final TestPki.Authority WEB_CA = TestPki.root(TrustDomain.parse("web-ca.test"));
    private static BundleEndpointServer server;

    @BeforeAll
    static void start() throws Exception {
        Instant now = Instant.now();
        TestPki.Leaf serving = WEB_CA.issue(
                new TestPki.Profile(false, null, List.of("localhost")),
                TestPki.keyPair(),
                now.minusSeconds(60),
                now.plusSeconds(3600));
        server = BundleEndpointServer.start(new InetSocketAddress("127.0.0.1", 0), serving::identity, () -> BUNDLE);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpClient client(String protocol) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", WEB_CA.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        SSLParameters params = new SSLParameters();
        params.setProtocols(new String[] {protocol});
        return HttpClient.newBuilder().sslContext(tls).sslParameters(params).build();
    }

    private static URI uri(String path) {
        return URI.create("https://localhost:" + server.port() + path);
    }

    @Test
    void get_servesTheBundleDocumentAsJson_overTls13And12_withoutAClientCertificate() throws Exception {
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            HttpResponse<String> response = client(protocol)
                    .send(HttpRequest.newBuilder(uri("/")).GET().build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).as(protocol).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
            assertThat(SpiffeBundleCodec.parse(TD, response.body())).isEqualTo(BUNDLE);
        }
    }

    @Test
    void otherMethodsAndPaths_areRefused() throws Exception {
        HttpClient client = client("TLSv1.3");
        assertThat(client.send(
                                HttpRequest.newBuilder(uri("/"))
                                        .POST(HttpRequest.BodyPublishers.ofString("x"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(405);
        assertThat(client.send(
                                HttpRequest.newBuilder(uri("/other")).GET().build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(404);
    }
}
