package io.meshca.samples.identity;

import io.spiffe.exception.SocketEndpointAddressException;
import io.spiffe.exception.X509SourceException;
import io.spiffe.workloadapi.DefaultX509Source;
import io.spiffe.workloadapi.X509Source;
import java.io.IOException;
import java.time.Duration;

/** Opens this process's X.509 identity from the SPIFFE Workload API through java-spiffe. */
public final class WorkloadIdentity {

    private WorkloadIdentity() {}

    /**
     * Connects to the Workload API and waits for the first SVID. java-spiffe then keeps the stream
     * open and swaps in every rotated SVID and bundle the agent pushes.
     *
     * @param address     {@code unix:///abs/path} (see {@link WorkloadApiAddress})
     * @param initTimeout how long to wait for the first SVID (the agent may still be syncing entries)
     * @throws IllegalStateException if no SVID arrives in time or the address is unusable
     */
    public static X509Source open(String address, Duration initTimeout) {
        DefaultX509Source.X509SourceOptions options = DefaultX509Source.X509SourceOptions.builder()
                .spiffeSocketPath(address)
                .initTimeout(initTimeout)
                .build();
        try {
            return DefaultX509Source.newSource(options);
        } catch (SocketEndpointAddressException | X509SourceException e) {
            throw new IllegalStateException(
                    "no X509-SVID from the Workload API at " + address + ": " + e.getMessage(), e);
        }
    }

    /** Closes the source's Workload API stream; a failure to close is of no consequence at shutdown. */
    public static void close(X509Source source) {
        try {
            source.close();
        } catch (IOException | RuntimeException e) {
            // the stream is being torn down anyway
        }
    }
}
