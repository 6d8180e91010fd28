package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractStub;
import io.meshca.common.config.Durations;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.server.config.ServerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/** Base of commands that talk to a running server over its admin socket. */
abstract class AdminCommand implements Callable<Integer> {

    @CommandLine.Option(
            names = "-socketPath",
            paramLabel = "path",
            description = "Admin socket of the server (default ${DEFAULT-VALUE}).")
    String socketPath = ServerConfig.DEFAULT_SOCKET_PATH.toString();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    String socketPath() {
        return socketPath;
    }

    @Override
    public final Integer call() throws Exception {
        ManagedChannel channel = UnixSockets.channel(UnixSockets.parseAddress(socketPath));
        try {
            return call(channel);
        } finally {
            UnixSockets.shutdown(channel);
        }
    }

    /** Deadline for admin calls: a hung server must not hang the CLI. */
    static final long DEADLINE_SECONDS = 30;

    <S extends AbstractStub<S>> S withDeadline(S stub) {
        return stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    abstract int call(ManagedChannel channel) throws Exception;

    /**
     * A duration flag as the admin API takes it: whole seconds, 0 meaning "the server's default".
     *
     * @throws CommandLine.ParameterException naming the flag if the duration is not whole seconds or does
     *     not fit the API's field
     */
    static int seconds(CommandLine.Model.CommandSpec spec, String flag, Duration value) {
        if (value.getNano() != 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), flag + " must be whole seconds, got " + Durations.format(value));
        }
        if (value.getSeconds() > Integer.MAX_VALUE) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), flag + " is too long: " + Durations.format(value));
        }
        return (int) value.getSeconds();
    }

    /**
     * An optional lifetime flag on the wire: 0 (the server's default) when left out. An explicit 0 is
     * refused rather than read as "the default": whoever typed it meant something else.
     */
    static int optionalPositiveSeconds(CommandLine.Model.CommandSpec spec, String flag, Duration value) {
        if (value == null) {
            return 0;
        }
        if (value.isZero()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), flag + " must be positive; leave it out for the default");
        }
        return seconds(spec, flag, value);
    }

    static Path path(String p) {
        return Path.of(p);
    }
}
