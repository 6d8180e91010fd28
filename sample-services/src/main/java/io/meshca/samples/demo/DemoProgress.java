package io.meshca.samples.demo;

import io.meshca.samples.status.StatusLine;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the demo runner has learned from its children's status lines: orders' counters, each
 * service's current SVID serial, and how many times a serial changed (rotations). Fed from the
 * children's output threads, read by the runner's thread.
 */
final class DemoProgress {

    private final Map<String, String> serials = new HashMap<>();
    private final Map<String, String> peers = new HashMap<>();
    private long ok;
    private long failed;
    private long rotations;
    private boolean frozen;

    /** Takes one status line printed by {@code service}. */
    synchronized void accept(String service, StatusLine line) {
        if (frozen) {
            return;
        }
        if (line instanceof StatusLine.Svid svid) {
            String previous = serials.put(service, svid.serialHex());
            if (previous != null && !previous.equals(svid.serialHex())) {
                rotations++;
            }
        } else if (line instanceof StatusLine.Stats stats) {
            ok = stats.ok();
            failed = stats.failed();
        } else if (line instanceof StatusLine.Peer peer) {
            peers.put(service, peer.serialHex());
        }
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

    synchronized DemoSummary summary() {
        return new DemoSummary(ok + failed, failed, rotations);
    }

    /** The periodic progress line. */
    synchronized String progressLine(Duration elapsed) {
        return String.format(
                "[%4ds] requests ok=%d failed=%d rotations=%d orders_svid=%s payments_svid=%s"
                        + " payments_saw_client=%s",
                elapsed.toSeconds(),
                ok,
                failed,
                rotations,
                shortSerial(serials.get(DemoRunner.ORDERS)),
                shortSerial(serials.get(DemoRunner.PAYMENTS)),
                shortSerial(peers.get(DemoRunner.PAYMENTS)));
    }

    private static String shortSerial(String serial) {
        if (serial == null) {
            return "-";
        }
        return serial.length() > 10 ? serial.substring(0, 10) : serial;
    }
}
