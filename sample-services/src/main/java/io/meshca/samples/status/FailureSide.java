package io.meshca.samples.status;

import java.util.Arrays;
import java.util.Optional;

/**
 * Where a failed request broke, as orders can tell from its side of the call. A reader of the demo
 * needs this before anything else: it says whose log to open.
 */
public enum FailureSide {
    /** orders' own TLS ended the handshake: payments' certificate was refused, or the handshake broke here. */
    CLIENT_TLS("client-tls"),
    /** payments said no: a TLS alert during the handshake, or an error status for the call. */
    SERVER_REJECTION("server-rejection"),
    /** no answer within the request's deadline (still connecting, or payments too slow to answer). */
    DEADLINE("deadline"),
    /** no connection, and no TLS involved: refused, reset, or closed under the call. */
    CONNECTION("connection"),
    /** payments answered, but the receipt is not for this order or not for orders. */
    BAD_RECEIPT("bad-receipt"),
    /** the call ended on orders' side for another reason (cancelled, a local error). */
    CLIENT("client");

    private final String label;

    FailureSide(String label) {
        this.label = label;
    }

    /** The word printed in status lines and by the demo. */
    public String label() {
        return label;
    }

    public static Optional<FailureSide> ofLabel(String label) {
        return Arrays.stream(values()).filter(side -> side.label.equals(label)).findFirst();
    }
}
