package io.meshca.agent.endpoint;

import io.grpc.Attributes;
import io.grpc.Context;
import java.util.List;

/**
 * Who is at the other end of a unix socket connection, as the kernel reported it when the connection
 * was accepted (SO_PEERCRED). The caller cannot forge these values, unlike anything it sends.
 *
 * @param pid the process that connected; it may have exited or been replaced since
 * @param uid the process's effective uid at connect time
 * @param gids the process's groups as reported by the kernel (may be only the primary gid)
 * @param startTime the start time of {@code pid} when the connection was accepted (clock ticks since
 *     boot, see {@link io.meshca.agent.attestation.workload.ProcessStartTimes}): if {@code pid} later
 *     names a process with another start time, the peer has exited and its PID was reused
 */
public record UnixPeer(int pid, int uid, List<Integer> gids, long startTime) {

    /** Where the endpoint stores the peer on each transport, for interceptors to read. */
    public static final Attributes.Key<UnixPeer> TRANSPORT_ATTR = Attributes.Key.create("meshca.unix-peer");

    /** The peer of the current call, for code that runs inside it. */
    public static final Context.Key<UnixPeer> CONTEXT_KEY = Context.key("meshca.unix-peer");

    public UnixPeer {
        if (pid <= 0) {
            throw new IllegalArgumentException("peer pid must be positive: " + pid);
        }
        if (uid < 0) {
            throw new IllegalArgumentException("peer uid must not be negative: " + uid);
        }
        gids = List.copyOf(gids);
        if (startTime < 0) {
            throw new IllegalArgumentException("peer start time must not be negative: " + startTime);
        }
    }
}
