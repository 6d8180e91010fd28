package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.meshca.proto.server.v1.UpstreamAuthorityGrpc;
import io.meshca.proto.server.v1.UpstreamAuthorityRequest;
import io.meshca.proto.server.v1.UpstreamAuthorityResponse;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code server upstreamauthority taint|revoke -subjectKeyID <id>}: the last steps of a root rotation. */
@Command(
        name = "upstreamauthority",
        footer = "meshca server upstreamauthority taint -subjectKeyID 8d7a2b1c9e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b",
        description = "Roots of the upstream authority in the bundle.",
        subcommands = {UpstreamAuthorityCommand.Taint.class, UpstreamAuthorityCommand.Revoke.class})
final class UpstreamAuthorityCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: taint or revoke");
    }

    abstract static class Verb extends AdminCommand {
        @Option(
                names = "-subjectKeyID",
                paramLabel = "id",
                required = true,
                description = "Subject key identifier (hex) of the upstream root.")
        String subjectKeyId;

        UpstreamAuthorityRequest request() {
            return UpstreamAuthorityRequest.newBuilder()
                    .setSubjectKeyId(subjectKeyId)
                    .build();
        }
    }

    @Command(
            name = "taint",
            footer = "meshca server upstreamauthority taint -subjectKeyID 8d7a2b1c9e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b",
            description = "Taints an upstream root no CA of this server chains to any more: agents re-issue.")
    static final class Taint extends Verb {
        @Override
        int call(ManagedChannel channel) {
            UpstreamAuthorityResponse r =
                    withDeadline(UpstreamAuthorityGrpc.newBlockingStub(channel)).taintUpstreamAuthority(request());
            out().println("Tainted upstream authority: " + r.getSubjectKeyId());
            return 0;
        }
    }

    @Command(
            name = "revoke",
            footer = "meshca server upstreamauthority revoke -subjectKeyID 8d7a2b1c9e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b",
            description = "Removes a tainted upstream root from the bundle.")
    static final class Revoke extends Verb {
        @Override
        int call(ManagedChannel channel) {
            UpstreamAuthorityResponse r =
                    withDeadline(UpstreamAuthorityGrpc.newBlockingStub(channel)).revokeUpstreamAuthority(request());
            out().println("Revoked upstream authority: " + r.getSubjectKeyId());
            return 0;
        }
    }
}
