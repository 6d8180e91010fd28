package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.bundle.SpiffeBundleCodec;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.files.TextFiles;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.Bundle;
import io.meshca.proto.server.v1.BundlesGrpc;
import io.meshca.proto.server.v1.CountFederatedBundlesRequest;
import io.meshca.proto.server.v1.DeleteFederatedBundleRequest;
import io.meshca.proto.server.v1.GetBundleRequest;
import io.meshca.proto.server.v1.ListFederatedBundlesRequest;
import io.meshca.proto.server.v1.SetFederatedBundleRequest;
import io.meshca.server.api.convert.BundleProtos;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "bundle",
        footer = "meshca server bundle show -format spiffe",
        description = "The trust bundle and the federated bundles of other trust domains.",
        subcommands = {
            BundleCommand.Show.class,
            BundleCommand.ListCmd.class,
            BundleCommand.Set.class,
            BundleCommand.Delete.class,
            BundleCommand.Count.class
        })
final class BundleCommand implements Runnable {

    static final String PEM = "pem";
    static final String SPIFFE = "spiffe";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing subcommand: show, list, set, delete or count");
    }

    static void checkFormat(CommandLine.Model.CommandSpec spec, String format) {
        if (!PEM.equals(format) && !SPIFFE.equals(format)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "unsupported -format \"" + format + "\" (supported: pem, spiffe)");
        }
    }

    /** A bundle as text: PEM certificates, or the SPIFFE document. */
    static String render(Bundle bundle, String format) {
        if (SPIFFE.equals(format)) {
            SpiffeBundle b = new SpiffeBundle(
                    TrustDomain.parse(bundle.getTrustDomain()),
                    BundleProtos.certificates(bundle),
                    BundleProtos.jwtAuthorities(bundle),
                    bundle.getSequence(),
                    Duration.ofSeconds(bundle.getRefreshHintSeconds()));
            return SpiffeBundleCodec.toJson(b) + System.lineSeparator();
        }
        StringBuilder pem = new StringBuilder();
        bundle.getX509AuthoritiesList().forEach(der -> pem.append(Pem.encode(Pem.CERTIFICATE, der.toByteArray())));
        return pem.toString();
    }

    /** Reads a bundle file ({@code -} for stdin) of {@code trustDomain}; the SPIFFE format is parsed strictly. */
    static Bundle read(String path, String format, TrustDomain trustDomain) throws IOException {
        String text;
        if ("-".equals(path)) {
            InputStream in = System.in;
            try {
                text = StandardCharsets.UTF_8
                        .newDecoder()
                        .decode(ByteBuffer.wrap(in.readAllBytes()))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new InvalidArgumentException("the bundle on stdin is not UTF-8 text");
            }
        } else if (SPIFFE.equals(format)) {
            text = TextFiles.readUtf8(Path.of(path), "bundle file");
        } else {
            text = TextFiles.readPem(Path.of(path), "bundle file");
        }
        SpiffeBundle bundle = SPIFFE.equals(format)
                ? SpiffeBundleCodec.parse(trustDomain, text)
                : new SpiffeBundle(trustDomain, Pem.decodeCertificates(text), List.of(), 0, Duration.ZERO);
        return BundleProtos.toProto(bundle);
    }

    @Command(
            name = "show",
            footer = "meshca server bundle show -format spiffe",
            description = "Prints the bundle of the server's trust domain.")
    static final class Show extends AdminCommand {

        @Option(
                names = "-format",
                paramLabel = "pem",
                description = "Output format: pem (default) or spiffe (the SPIFFE bundle JWKS).")
        String format = PEM;

        @Option(
                names = "-output",
                paramLabel = "format",
                description = "pretty (default: as -format says) or json (the admin API's bundle).")
        String output = Output.PRETTY;

        @Override
        int call(ManagedChannel channel) {
            checkFormat(spec, format);
            boolean json = Output.json(spec, output);
            Bundle bundle =
                    withDeadline(BundlesGrpc.newBlockingStub(channel)).getBundle(GetBundleRequest.getDefaultInstance());
            if (json) {
                Output.message(out(), bundle);
                return 0;
            }
            out().print(render(bundle, format));
            out().flush();
            return 0;
        }
    }

    @Command(
            name = "list",
            footer = "meshca server bundle list -format spiffe",
            description = "Prints the federated bundles (of other trust domains).")
    static final class ListCmd extends AdminCommand {

        @Option(names = "-format", paramLabel = "pem", description = "Output format: pem (default) or spiffe.")
        String format = PEM;

        @Option(
                names = "-output",
                paramLabel = "format",
                description = "pretty (default: as -format says) or json (the admin API's bundles).")
        String output = Output.PRETTY;

        @Override
        int call(ManagedChannel channel) {
            checkFormat(spec, format);
            boolean json = Output.json(spec, output);
            var bundles = withDeadline(BundlesGrpc.newBlockingStub(channel))
                    .listFederatedBundles(ListFederatedBundlesRequest.getDefaultInstance())
                    .getBundlesList();
            if (json) {
                Output.messages(out(), "bundles", bundles);
                return 0;
            }
            for (Bundle b : bundles) {
                out().println("****************************************");
                out().println("* spiffe://" + b.getTrustDomain());
                out().println("****************************************");
                out().print(render(b, format));
            }
            if (bundles.isEmpty()) {
                out().println("No federated bundles");
            }
            out().flush();
            return 0;
        }
    }

    @Command(
            name = "count",
            footer = "meshca server bundle count -output json",
            description = "Counts the federated bundles (of other trust domains).")
    static final class Count extends AdminCommand {
        @Option(names = "-output", paramLabel = "format", description = Output.DESCRIPTION)
        String output = Output.PRETTY;

        @Override
        int call(ManagedChannel channel) {
            boolean json = Output.json(spec, output);
            long count = withDeadline(BundlesGrpc.newBlockingStub(channel))
                    .countFederatedBundles(CountFederatedBundlesRequest.getDefaultInstance())
                    .getCount();
            Output.count(out(), json, count, "federated bundle", "federated bundles");
            return 0;
        }
    }

    @Command(
            name = "set",
            footer = "meshca server bundle set -id spiffe://partner.example -path partner-bundle.pem",
            description = "Creates or replaces the federated bundle of another trust domain.")
    static final class Set extends AdminCommand {

        @Option(
                names = "-id",
                required = true,
                paramLabel = "spiffe://td",
                description = "The trust domain of the bundle.")
        String id;

        @Option(names = "-path", required = true, paramLabel = "file", description = "The bundle file; - reads stdin.")
        String path;

        @Option(
                names = "-format",
                paramLabel = "pem",
                description = "Input format: pem (default) or spiffe (a SPIFFE bundle document).")
        String format = PEM;

        @Override
        int call(ManagedChannel channel) throws IOException {
            checkFormat(spec, format);
            TrustDomain td = TrustDomain.parse(id);
            Bundle bundle = read(path, format, td);
            Bundle stored = withDeadline(BundlesGrpc.newBlockingStub(channel))
                    .setFederatedBundle(SetFederatedBundleRequest.newBuilder()
                            .setBundle(bundle)
                            .build());
            out().printf(
                            "Bundle of %s set (%d X.509 authorities, %d JWT keys)%n",
                            td.id(), stored.getX509AuthoritiesCount(), stored.getJwtAuthoritiesCount());
            out().flush();
            return 0;
        }
    }

    @Command(
            name = "delete",
            footer = "meshca server bundle delete -id spiffe://partner.example",
            description = "Deletes the federated bundle of another trust domain.")
    static final class Delete extends AdminCommand {

        @Option(
                names = "-id",
                required = true,
                paramLabel = "spiffe://td",
                description = "The trust domain of the bundle.")
        String id;

        @Override
        int call(ManagedChannel channel) {
            TrustDomain td = TrustDomain.parse(id);
            withDeadline(BundlesGrpc.newBlockingStub(channel))
                    .deleteFederatedBundle(DeleteFederatedBundleRequest.newBuilder()
                            .setTrustDomain(td.name())
                            .build());
            out().println("Bundle of " + td.id() + " deleted");
            out().flush();
            return 0;
        }
    }
}
