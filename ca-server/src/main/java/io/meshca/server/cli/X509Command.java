package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.meshca.common.config.Durations;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Csrs;
import io.meshca.common.pki.Keys;
import io.meshca.common.pki.Pem;
import io.meshca.common.pki.PemFiles;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.server.v1.MintX509SvidRequest;
import io.meshca.proto.server.v1.MintX509SvidResponse;
import io.meshca.proto.server.v1.SvidsGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "x509",
        footer = "meshca server x509 mint -spiffeID spiffe://example.org/web",
        description = "X509-SVIDs.",
        subcommands = X509Command.Mint.class)
final class X509Command implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: mint");
    }

    /**
     * SPIRE's {@code x509 mint}: the key is generated here and never leaves this process except into the
     * 0600 key file; the server signs a CSR and records the issuance in its audit log.
     */
    @Command(
            name = "mint",
            footer = "meshca server x509 mint -spiffeID spiffe://example.org/web -ttl 1h -write ./svid",
            description = "Mints an X509-SVID; prints it with its key and the bundle, or writes them to -write.")
    static final class Mint extends AdminCommand {

        @Option(names = "-spiffeID", paramLabel = "id", required = true, description = "SPIFFE ID of the SVID.")
        SpiffeId spiffeId;

        @Option(
                names = "-ttl",
                paramLabel = "duration",
                converter = Durations.NonNegative.class,
                description = "SVID lifetime: 90s, 10m, 1h... (default: the server's X509-SVID TTL).")
        Duration ttl;

        @Option(names = "-dns", paramLabel = "name", description = "DNS SAN; repeat for several.")
        List<String> dnsNames = new ArrayList<>();

        @Option(
                names = "-write",
                paramLabel = "dir",
                description = "Write svid.pem, key.pem (0600) and bundle.pem into this directory.")
        Path writeDir;

        @Override
        int call(ManagedChannel channel) throws IOException {
            int ttlSeconds = optionalPositiveSeconds(spec, "-ttl", ttl);
            KeyPair key = Keys.generateEcP256();
            MintX509SvidResponse response = withDeadline(SvidsGrpc.newBlockingStub(channel))
                    .mintX509Svid(MintX509SvidRequest.newBuilder()
                            .setCsr(com.google.protobuf.ByteString.copyFrom(Csrs.create(key)))
                            .setSpiffeId(spiffeId.toString())
                            .setTtlSeconds(ttlSeconds)
                            .addAllDnsNames(dnsNames)
                            .build());
            List<X509Certificate> chain = new ArrayList<>();
            response.getSvid().getCertChainList().forEach(der -> chain.add(Certificates.parse(der.toByteArray())));
            List<X509Certificate> bundle = new ArrayList<>();
            response.getX509AuthoritiesList().forEach(der -> bundle.add(Certificates.parse(der.toByteArray())));
            String svidPem = Pem.encodeCertificates(chain);
            String keyPem = Pem.encodePrivateKey(key.getPrivate());
            String bundlePem = Pem.encodeCertificates(bundle);
            if (writeDir == null) {
                out().println("X509-SVID:");
                out().print(svidPem);
                out().println("Private key:");
                out().print(keyPem);
                out().println("Root CAs:");
                out().print(bundlePem);
                return 0;
            }
            Files.createDirectories(writeDir);
            PemFiles.writePublic(writeDir.resolve("svid.pem"), svidPem);
            PemFiles.writeSecret(writeDir.resolve("key.pem"), keyPem);
            PemFiles.writePublic(writeDir.resolve("bundle.pem"), bundlePem);
            out().println("X509-SVID written to " + writeDir.resolve("svid.pem"));
            out().println("Private key written to " + writeDir.resolve("key.pem"));
            out().println("Root CAs written to " + writeDir.resolve("bundle.pem"));
            return 0;
        }
    }
}
