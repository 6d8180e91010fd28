package io.meshca.server.testing;

import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What an {@code https_web} bundle endpoint serves with, as PEM files: a certificate for
 * {@code localhost} (valid from a minute ago for an hour) and its key, issued by a web CA of its own,
 * whose certificate a federated peer trusts as {@code trustedCAFile}.
 */
public record WebServingFiles(Path certificate, Path key, Path caFile) {

    /** Issues the certificate and writes {@code serving.pem}, {@code serving.key} and {@code web-ca.pem} in {@code dir}. */
    public static WebServingFiles write(Path dir) throws IOException {
        TestPki.Authority webCa = TestPki.root(TrustDomain.parse("web-ca.test"));
        Instant now = Instant.now();
        TestPki.Leaf serving = webCa.issue(
                new TestPki.Profile(false, null, List.of("localhost")),
                TestPki.keyPair(),
                now.minusSeconds(60),
                now.plus(Duration.ofHours(1)));
        return new WebServingFiles(
                Files.writeString(dir.resolve("serving.pem"), Pem.encodeCertificates(serving.chain())),
                Files.writeString(
                        dir.resolve("serving.key"),
                        Pem.encodePrivateKey(serving.keyPair().getPrivate())),
                Files.writeString(dir.resolve("web-ca.pem"), Pem.encodeCertificates(List.of(webCa.certificate()))));
    }
}
