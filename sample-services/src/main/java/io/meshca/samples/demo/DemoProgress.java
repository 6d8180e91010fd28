package io.meshca.samples.demo;

import io.meshca.samples.identity.SvidInfo;
import io.meshca.samples.status.StatusLine;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the demo runner has learned from its children's status lines: orders' counters, each
 * service's current SVID serial, how many times a serial changed (rotations), the CA certificates that
 * signed the SVIDs (CA rotations), and whether orders is connected. Fed from the children's output
 * threads, read by the runner's thread.
 */
final class DemoProgress {

    private final Map<String, String> serials = new HashMap<>();
    private final Map<String, String> peers = new HashMap<>();
    private final Map<String, Duration> connected = new HashMap<>();
    private final Map<String, String> currentIssuers = new HashMap<>();
    private final Set<String> issuers = new HashSet<>();
    private long ok;
    private long failed;
    private long rotations;
    private boolean frozen;

    /**
     * Takes one status line printed by {@code service}.
     *
     * @return false if the line came after {@link #freeze()} and was ignored
     */
    synchronized boolean accept(String service, StatusLine line) {
        if (frozen) {
            return false;
        }
        if (line instanceof StatusLine.Svid svid) {
            String previous = serials.put(service, svid.serialHex());
            if (previous != null && !previous.equals(svid.serialHex())) {
                rotations++;
            }
            currentIssuers.put(service, svid.issuer());
            if (!SvidInfo.UNKNOWN_ISSUER.equals(svid.issuer())) {
                issuers.add(svid.issuer());
            }
        } else if (line instanceof StatusLine.Ready ready) {
            connected.put(service, Duration.ofMillis(ready.connectMillis()));
        } else if (line instanceof StatusLine.Stats stats) {
            ok = stats.ok();
            failed = stats.failed();
        } else if (line instanceof StatusLine.Peer peer) {
            peers.put(service, peer.serialHex());
        }
        return true;
    }

    /**
     * Stops taking lines: from the moment the runner starts stopping things, failures are caused by the
     * shutdown itself (payments gone before orders noticed) and must not be counted against the mesh.
     */
    synchronized void freeze() {
        frozen = true;
    }

    synchronized Optional<String> serial(String service) {
        return Optional.ofNullable(serials.get(service));
    }

    /** How long {@code service} took to connect to its server, once it has said it is ready. */
    synchronized Optional<Duration> connected(String service) {
        return Optional.ofNullable(connected.get(service));
    }

    synchronized DemoSummary summary() {
        return new DemoSummary(ok + failed, failed, rotations, caRotations());
    }

    /** One CA for the whole run is no rotation; each further CA certificate seen is one. */
    private long caRotations() {
        return Math.max(0, issuers.size() - 1);
    }

    /**
     * What the fields of {@link #progressLine} mean, printed once before the first one: the hex values
     * are not explained anywhere else on the screen.
     */
    static final List<String> LEGEND = List.of(
            "each progress line: requests ok, failed = orders' calls to payments so far; rotations = SVID changes"
                    + " (new serial); ca_rotations = CA certificates seen beyond the first",
            "  orders_svid, payments_svid = serial number of the service's current X.509-SVID (first 10 hex"
                    + " digits): it changes at each rotation",
            "  payments_saw_client = serial of the client SVID payments saw on its last call (orders' SVID,"
                    + " which it lags by up to one rotation)",
            "  orders_ca, payments_ca = SHA-256 fingerprint (first 10 hex digits) of the CA certificate that"
                    + " signed the service's SVID: it changes when the server rotates its CA");

    /** The periodic progress line. */
    synchronized String progressLine(Duration elapsed) {
        return String.format(
                "[%4ds] requests ok=%d failed=%d rotations=%d ca_rotations=%d orders_svid=%s payments_svid=%s"
                        + " payments_saw_client=%s orders_ca=%s payments_ca=%s",
                elapsed.toSeconds(),
                ok,
                failed,
                rotations,
                caRotations(),
                shortSerial(serials.get(DemoRunner.ORDERS)),
                shortSerial(serials.get(DemoRunner.PAYMENTS)),
                shortSerial(peers.get(DemoRunner.PAYMENTS)),
                shortSerial(currentIssuers.get(DemoRunner.ORDERS)),
                shortSerial(currentIssuers.get(DemoRunner.PAYMENTS)));
    }

    /** The first hex digits of a serial or a CA fingerprint: enough to see it change. */
    private static String shortSerial(String serial) {
        if (serial == null) {
            return "-";
        }
        return serial.length() > 10 ? serial.substring(0, 10) : serial;
    }
}
