package io.meshca.samples.cli;

import io.meshca.common.config.Durations;
import io.meshca.samples.identity.WorkloadApiAddress;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every sample service shares: where its identity comes from. */
public final class ServiceOptions {

    @Option(
            names = "-socketPath",
            paramLabel = "path",
            description = "Workload API socket (path or unix:///path); default: $SPIFFE_ENDPOINT_SOCKET")
    String socketPath;

    @Option(
            names = "-initTimeout",
            paramLabel = "duration",
            defaultValue = "60s",
            converter = Durations.NonNegative.class,
            description = "how long to wait for the first SVID (default: ${DEFAULT-VALUE})")
    Duration initTimeout;

    public String workloadApiAddress() {
        return WorkloadApiAddress.resolve(Optional.ofNullable(socketPath), System.getenv());
    }

    public Duration initTimeout() {
        return initTimeout;
    }
}
