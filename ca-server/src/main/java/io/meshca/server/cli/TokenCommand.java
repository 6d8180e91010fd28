package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.meshca.common.config.Durations;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.server.v1.GenerateJoinTokenRequest;
import io.meshca.proto.server.v1.JoinTokensGrpc;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "token",
        footer = "meshca server token generate -spiffeID spiffe://example.org/host/node-1",
        description = "Join tokens.",
        subcommands = TokenCommand.Generate.class)
final class TokenCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: generate");
    }

    @Command(
            name = "generate",
            footer = "meshca server token generate -spiffeID spiffe://example.org/host/node-1 -ttl 1h",
            description = "Generates a single-use join token (printed as 'Token: <token>').")
    static final class Generate extends AdminCommand {

        @Option(
                names = "-spiffeID",
                paramLabel = "id",
                description = "Also create a node alias with this SPIFFE ID for the agent that uses the token.")
        SpiffeId spiffeId;

        @Option(
                names = "-ttl",
                paramLabel = "duration",
                converter = Durations.NonNegative.class,
                description = "Token lifetime: 600, 90s, 10m, 1h... (bare numbers are seconds; default 600).")
        Duration ttl;

        @Override
        int call(ManagedChannel channel) {
            var request =
                    GenerateJoinTokenRequest.newBuilder().setTtlSeconds(optionalPositiveSeconds(spec, "-ttl", ttl));
            if (spiffeId != null) {
                request.setSpiffeId(spiffeId.toString());
            }
            var token = withDeadline(JoinTokensGrpc.newBlockingStub(channel)).generateJoinToken(request.build());
            out().println("Token: " + token.getToken());
            return 0;
        }
    }
}
