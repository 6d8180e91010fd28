package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.Bundle;
import io.meshca.proto.server.v1.DeleteFederationRelationshipRequest;
import io.meshca.proto.server.v1.FederationGrpc;
import io.meshca.proto.server.v1.FederationRelationship;
import io.meshca.proto.server.v1.GetFederationRelationshipRequest;
import io.meshca.proto.server.v1.ListFederationRelationshipsRequest;
import io.meshca.proto.server.v1.RefreshBundleRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Federation relationships, with SPIRE's flag names. */
@Command(
        name = "federation",
        footer = "meshca server federation list",
        description = "Federation relationships with other trust domains.",
        subcommands = {
            FederationCommand.Create.class,
            FederationCommand.Update.class,
            FederationCommand.ListCmd.class,
            FederationCommand.Show.class,
            FederationCommand.Delete.class,
            FederationCommand.Refresh.class
        })
final class FederationCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing subcommand: create, update, list, show, delete or refresh");
    }

    abstract static class Write extends AdminCommand {
        @Option(names = "-trustDomain", required = true, paramLabel = "td", description = "The foreign trust domain.")
        String trustDomain;

        @Option(
                names = "-bundleEndpointURL",
                required = true,
                paramLabel = "url",
                description = "https URL of its bundle endpoint.")
        String url;

        @Option(
                names = "-bundleEndpointProfile",
                paramLabel = "profile",
                description = "https_web (default) or https_spiffe.")
        String profile = "https_web";

        @Option(
                names = "-endpointSpiffeID",
                paramLabel = "id",
                description = "https_spiffe: the SPIFFE ID of the endpoint.")
        String endpointId;

        @Option(
                names = "-trustDomainBundlePath",
                paramLabel = "file",
                description = "The foreign bundle to start from (https_spiffe needs one).")
        String bundlePath;

        @Option(
                names = "-trustDomainBundleFormat",
                paramLabel = "pem",
                description = "Format of that file: pem (default) or spiffe.")
        String bundleFormat = BundleCommand.PEM;

        @Option(
                names = "-trustedCAFile",
                paramLabel = "file",
                description = "https_web: PEM CAs (a path on the server) instead of the JDK trust store.")
        String caFile;

        FederationRelationship request() throws IOException {
            BundleCommand.checkFormat(spec, bundleFormat);
            TrustDomain td = TrustDomain.parse(trustDomain);
            FederationRelationship.Builder b = FederationRelationship.newBuilder()
                    .setTrustDomain(td.name())
                    .setBundleEndpointUrl(url)
                    .setBundleEndpointProfile(profile);
            if (endpointId != null) {
                b.setEndpointSpiffeId(endpointId);
            }
            if (caFile != null) {
                b.setTrustedCaFile(Path.of(caFile).toAbsolutePath().toString());
            }
            if (bundlePath != null) {
                b.setTrustDomainBundle(BundleCommand.read(bundlePath, bundleFormat, td));
            }
            return b.build();
        }
    }

    @Command(
            name = "create",
            footer =
                    "meshca server federation create -trustDomain partner.example -bundleEndpointURL https://partner.example:8443 -bundleEndpointProfile https_spiffe -endpointSpiffeID spiffe://partner.example/meshca/server -trustDomainBundlePath partner-bundle.pem",
            description = "Creates a federation relationship.")
    static final class Create extends Write {
        @Override
        int call(ManagedChannel channel) throws IOException {
            print(out(), withDeadline(FederationGrpc.newBlockingStub(channel)).createFederationRelationship(request()));
            return 0;
        }
    }

    @Command(
            name = "update",
            footer =
                    "meshca server federation update -trustDomain partner.example -bundleEndpointURL https://partner.example:8443 -bundleEndpointProfile https_web",
            description = "Replaces a federation relationship.")
    static final class Update extends Write {
        @Override
        int call(ManagedChannel channel) throws IOException {
            print(out(), withDeadline(FederationGrpc.newBlockingStub(channel)).updateFederationRelationship(request()));
            return 0;
        }
    }

    @Command(
            name = "list",
            footer = "meshca server federation list -output json",
            description = "Lists the federation relationships.")
    static final class ListCmd extends AdminCommand {
        @Option(names = "-output", paramLabel = "format", description = Output.DESCRIPTION)
        String output = Output.PRETTY;

        @Override
        int call(ManagedChannel channel) {
            boolean json = Output.json(spec, output);
            var rels = withDeadline(FederationGrpc.newBlockingStub(channel))
                    .listFederationRelationships(ListFederationRelationshipsRequest.getDefaultInstance())
                    .getRelationshipsList();
            if (json) {
                Output.messages(out(), "relationships", rels);
                return 0;
            }
            out().println("Found " + rels.size() + " federation relationship" + (rels.size() == 1 ? "" : "s"));
            rels.forEach(r -> {
                out().println();
                print(out(), r);
            });
            out().flush();
            return 0;
        }
    }

    @Command(
            name = "show",
            footer = "meshca server federation show -trustDomain partner.example",
            description = "Shows a federation relationship.")
    static final class Show extends AdminCommand {
        @Option(names = "-trustDomain", required = true, paramLabel = "td", description = "The foreign trust domain.")
        String trustDomain;

        @Option(names = "-output", paramLabel = "format", description = Output.DESCRIPTION)
        String output = Output.PRETTY;

        @Override
        int call(ManagedChannel channel) {
            boolean json = Output.json(spec, output);
            FederationRelationship relationship = withDeadline(FederationGrpc.newBlockingStub(channel))
                    .getFederationRelationship(GetFederationRelationshipRequest.newBuilder()
                            .setTrustDomain(TrustDomain.parse(trustDomain).name())
                            .build());
            if (json) {
                Output.message(out(), relationship);
            } else {
                print(out(), relationship);
            }
            return 0;
        }
    }

    @Command(
            name = "delete",
            footer = "meshca server federation delete -trustDomain partner.example",
            description = "Deletes a federation relationship (the last fetched bundle stays).")
    static final class Delete extends AdminCommand {
        @Option(names = "-trustDomain", required = true, paramLabel = "td", description = "The foreign trust domain.")
        String trustDomain;

        @Override
        int call(ManagedChannel channel) {
            withDeadline(FederationGrpc.newBlockingStub(channel))
                    .deleteFederationRelationship(DeleteFederationRelationshipRequest.newBuilder()
                            .setTrustDomain(TrustDomain.parse(trustDomain).name())
                            .build());
            out().println("Federation relationship with " + trustDomain + " deleted");
            out().flush();
            return 0;
        }
    }

    @Command(
            name = "refresh",
            footer = "meshca server federation refresh -trustDomain partner.example",
            description = "Fetches the trust domain's bundle from its endpoint now.")
    static final class Refresh extends AdminCommand {
        @Option(names = "-trustDomain", required = true, paramLabel = "td", description = "The foreign trust domain.")
        String trustDomain;

        @Override
        int call(ManagedChannel channel) {
            Bundle b = withDeadline(FederationGrpc.newBlockingStub(channel))
                    .refreshBundle(RefreshBundleRequest.newBuilder()
                            .setTrustDomain(TrustDomain.parse(trustDomain).name())
                            .build());
            out().printf(
                            "Bundle of %s refreshed: sequence %d, %d X.509 authorities, %d JWT keys%n",
                            trustDomain, b.getSequence(), b.getX509AuthoritiesCount(), b.getJwtAuthoritiesCount());
            out().flush();
            return 0;
        }
    }

    static void print(PrintWriter out, FederationRelationship r) {
        out.println("Trust domain              : " + r.getTrustDomain());
        out.println("Bundle endpoint URL       : " + r.getBundleEndpointUrl());
        out.println("Bundle endpoint profile   : " + r.getBundleEndpointProfile());
        if (!r.getEndpointSpiffeId().isEmpty()) {
            out.println("Endpoint SPIFFE ID        : " + r.getEndpointSpiffeId());
        }
        if (!r.getTrustedCaFile().isEmpty()) {
            out.println("Trusted CA file           : " + r.getTrustedCaFile());
        }
        out.flush();
    }
}
