package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.meshca.common.pki.Pem;
import io.meshca.proto.server.v1.BundlesGrpc;
import io.meshca.proto.server.v1.GetBundleRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bundle", description = "The trust bundle.", subcommands = BundleCommand.Show.class)
final class BundleCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: show");
    }

    @Command(name = "show", description = "Prints the X.509 authorities of the server's trust domain.")
    static final class Show extends AdminCommand {

        @Option(names = "-format", paramLabel = "pem", description = "Output format: pem (default) or spiffe (the SPIFFE bundle JWKS).")
        String format = "pem";

        @Override
        int call(ManagedChannel channel) {
            if (!"pem".equals(format) && !"spiffe".equals(format)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "unsupported -format \"" + format + "\" (supported: pem, spiffe)");
            }
            var bundle = withDeadline(BundlesGrpc.newBlockingStub(channel)).getBundle(GetBundleRequest.getDefaultInstance());
            if ("spiffe".equals(format)) {
                out().println(SpiffeBundleJson.of(bundle));
                return 0;
            }
            StringBuilder pem = new StringBuilder();
            bundle.getX509AuthoritiesList().forEach(der -> pem.append(Pem.encode(Pem.CERTIFICATE, der.toByteArray())));
            out().print(pem);
            out().flush();
            return 0;
        }
    }
}
