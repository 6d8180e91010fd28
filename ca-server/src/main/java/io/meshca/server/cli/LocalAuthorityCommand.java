package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.meshca.proto.server.v1.AuthorityState;
import io.meshca.proto.server.v1.GetLocalAuthorityStateRequest;
import io.meshca.proto.server.v1.LocalAuthorityGrpc;
import io.meshca.proto.server.v1.LocalAuthorityGrpc.LocalAuthorityBlockingStub;
import io.meshca.proto.server.v1.LocalAuthorityRequest;
import io.meshca.proto.server.v1.LocalAuthorityState;
import io.meshca.proto.server.v1.PrepareLocalAuthorityRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code server localauthority x509|jwt show|prepare|activate|taint|revoke}: SPIRE's verbs for the
 * server's own authorities. Routine rotation is automatic; these are for forced rotation and break-glass.
 */
@Command(
        name = "localauthority",
        footer = "meshca server localauthority x509 show",
        description = "The server's own signing authorities: X.509 CAs and JWT keys in their slots.",
        subcommands = {LocalAuthorityCommand.X509.class, LocalAuthorityCommand.Jwt.class})
final class LocalAuthorityCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: x509 or jwt");
    }

    /** Which authorities a verb acts on: the RPCs differ, the verbs and rules do not. */
    enum Kind {
        X509("X.509"),
        JWT("JWT");

        final String label;

        Kind(String label) {
            this.label = label;
        }

        LocalAuthorityState show(LocalAuthorityBlockingStub stub) {
            var request = GetLocalAuthorityStateRequest.getDefaultInstance();
            return this == X509 ? stub.getX509AuthorityState(request) : stub.getJwtAuthorityState(request);
        }

        AuthorityState prepare(LocalAuthorityBlockingStub stub) {
            var request = PrepareLocalAuthorityRequest.getDefaultInstance();
            return this == X509 ? stub.prepareX509Authority(request) : stub.prepareJwtAuthority(request);
        }

        AuthorityState act(LocalAuthorityBlockingStub stub, String verb, String id) {
            var request = LocalAuthorityRequest.newBuilder().setAuthorityId(id).build();
            return switch (verb) {
                case "activate" ->
                    this == X509 ? stub.activateX509Authority(request) : stub.activateJwtAuthority(request);
                case "taint" -> this == X509 ? stub.taintX509Authority(request) : stub.taintJwtAuthority(request);
                case "revoke" -> this == X509 ? stub.revokeX509Authority(request) : stub.revokeJwtAuthority(request);
                default -> throw new IllegalArgumentException(verb);
            };
        }
    }

    @Command(
            name = "x509",
            footer = "meshca server localauthority x509 show",
            description = "The server's X.509 CAs.",
            subcommands = {Show.class, Prepare.class, Activate.class, Taint.class, Revoke.class})
    static final class X509 extends Group {
        X509() {
            super(Kind.X509);
        }
    }

    @Command(
            name = "jwt",
            footer = "meshca server localauthority jwt show -output json",
            description = "The server's JWT signing keys.",
            subcommands = {Show.class, Prepare.class, Activate.class, Taint.class, Revoke.class})
    static final class Jwt extends Group {
        Jwt() {
            super(Kind.JWT);
        }
    }

    abstract static class Group implements Runnable {
        final Kind kind;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Group(Kind kind) {
            this.kind = kind;
        }

        @Override
        public void run() {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "missing subcommand: show, prepare, activate, taint or revoke");
        }
    }

    abstract static class Verb extends AdminCommand {
        @CommandLine.ParentCommand
        Group group;

        @Option(names = "-output", paramLabel = "format", description = "pretty (default) or json.")
        String output = "pretty";

        LocalAuthorityBlockingStub stub(ManagedChannel channel) {
            AuthorityOutput.checkFormat(spec, output);
            return withDeadline(LocalAuthorityGrpc.newBlockingStub(channel));
        }
    }

    @Command(
            name = "show",
            footer = "${COMMAND-FULL-NAME} -output json",
            description = "Shows the active, prepared and old authorities.")
    static final class Show extends Verb {
        @Override
        int call(ManagedChannel channel) {
            LocalAuthorityState state = group.kind.show(stub(channel));
            AuthorityOutput.show(out(), group.kind.label, state.getAuthoritiesList(), output);
            return 0;
        }
    }

    @Command(
            name = "prepare",
            footer = "${COMMAND-FULL-NAME}",
            description = "Creates the next authority and publishes it in the bundle.")
    static final class Prepare extends Verb {
        @Override
        int call(ManagedChannel channel) {
            AuthorityState prepared = group.kind.prepare(stub(channel));
            AuthorityOutput.one(out(), "Prepared " + group.kind.label + " authority", prepared, output);
            return 0;
        }
    }

    /** The verbs that name one authority. */
    abstract static class Targeted extends Verb {
        @Option(
                names = "-authorityID",
                paramLabel = "id",
                required = true,
                description = "The authority (X.509: subject key ID in hex; JWT: key ID), as show prints it.")
        String authorityId;

        int run(ManagedChannel channel, String verb, String heading) {
            AuthorityState state = group.kind.act(stub(channel), verb, authorityId);
            AuthorityOutput.one(out(), heading + " " + group.kind.label + " authority", state, output);
            return 0;
        }
    }

    @Command(
            name = "activate",
            footer = "${COMMAND-FULL-NAME} -authorityID 8d7a2b1c9e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b",
            description = "Makes the prepared authority sign; the active one becomes old.")
    static final class Activate extends Targeted {
        @Override
        int call(ManagedChannel channel) {
            return run(channel, "activate", "Activated");
        }
    }

    @Command(
            name = "taint",
            footer = "${COMMAND-FULL-NAME} -authorityID 8d7a2b1c9e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b",
            description = "Marks an old authority as tainted: every agent re-issues at once what it signed.")
    static final class Taint extends Targeted {
        @Override
        int call(ManagedChannel channel) {
            return run(channel, "taint", "Tainted");
        }
    }

    @Command(
            name = "revoke",
            footer = "${COMMAND-FULL-NAME} -authorityID 8d7a2b1c9e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b",
            description = "Removes a tainted authority from the bundle.")
    static final class Revoke extends Targeted {
        @Override
        int call(ManagedChannel channel) {
            return run(channel, "revoke", "Revoked");
        }
    }
}
