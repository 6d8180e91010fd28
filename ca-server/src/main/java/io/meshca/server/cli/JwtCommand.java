package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.meshca.common.config.Durations;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.server.v1.MintJwtSvidRequest;
import io.meshca.proto.server.v1.SvidsGrpc;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "jwt",
        footer = "meshca server jwt mint -spiffeID spiffe://example.org/web -audience payments",
        description = "JWT-SVIDs.",
        subcommands = JwtCommand.Mint.class)
final class JwtCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: mint");
    }

    @Command(
            name = "mint",
            footer = "meshca server jwt mint -spiffeID spiffe://example.org/web -audience payments -ttl 5m",
            description = "Mints a JWT-SVID and prints the token (as SPIRE's 'jwt mint' does).")
    static final class Mint extends AdminCommand {

        @Option(names = "-spiffeID", paramLabel = "id", required = true, description = "SPIFFE ID of the token (sub).")
        SpiffeId spiffeId;

        @Option(
                names = "-audience",
                paramLabel = "aud",
                required = true,
                description = "Audience (aud); repeat for several.")
        List<String> audience;

        @Option(
                names = "-ttl",
                paramLabel = "duration",
                converter = Durations.NonNegative.class,
                description = "Token lifetime: 60, 90s, 10m... (bare numbers are seconds;"
                        + " default: the server's, 5 minutes).")
        Duration ttl;

        @Override
        int call(ManagedChannel channel) {
            int ttlSeconds = optionalPositiveSeconds(spec, "-ttl", ttl);
            var response = withDeadline(SvidsGrpc.newBlockingStub(channel))
                    .mintJwtSvid(MintJwtSvidRequest.newBuilder()
                            .setSpiffeId(spiffeId.toString())
                            .addAllAudience(audience)
                            .setTtlSeconds(ttlSeconds)
                            .build());
            out().println(response.getToken());
            return 0;
        }
    }
}
