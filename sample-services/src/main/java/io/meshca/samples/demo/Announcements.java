package io.meshca.samples.demo;

import io.meshca.samples.status.StatusLine;
import java.util.Optional;

/**
 * The status lines the demo repeats the moment they arrive, one line each: a failed request with its
 * cause, and a peer certificate a service refused (the server's side of a failed handshake). Counters
 * wait for the progress line; a failure is news.
 */
final class Announcements {

    private Announcements() {}

    /** What to print for {@code line} from {@code service} (without the "demo: " prefix), if anything. */
    static Optional<String> of(String service, StatusLine line) {
        if (line instanceof StatusLine.RequestFailed failed) {
            return Optional.of("request " + failed.orderId() + " failed: side="
                    + failed.side().label() + " status="
                    + failed.code() + " exception=" + failed.exception() + " cause=" + failed.cause() + " description="
                    + failed.description());
        }
        if (line instanceof StatusLine.Refused refused) {
            return Optional.of(service + " refused a peer certificate: " + refused.description());
        }
        return Optional.empty();
    }
}
