package io.meshca.agent.attestation.workload;

import io.meshca.common.selector.UnixSelectors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The ids of {@code /proc/<pid>/status}: the effective uid and gid (what the kernel checks access
 * with) and the supplementary groups.
 */
record ProcStatus(int effectiveUid, int effectiveGid, List<Integer> supplementaryGids) {

    private static final byte[] UID = "Uid:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GID = "Gid:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GROUPS = "Groups:".getBytes(StandardCharsets.US_ASCII);

    ProcStatus {
        supplementaryGids = List.copyOf(supplementaryGids);
    }

    /**
     * Parses the file's bytes as they are, without decoding them to lines: this runs on every
     * Workload API call, and only three ASCII lines of numbers matter.
     */
    static ProcStatus parse(byte[] status) throws IOException {
        long[] uids = null;
        long[] gids = null;
        long[] groups = new long[0];
        for (int start = 0; start < status.length; ) {
            int end = indexOf(status, (byte) '\n', start);
            if (startsWith(status, start, UID)) {
                uids = numbers(status, start + UID.length, end);
            } else if (startsWith(status, start, GID)) {
                gids = numbers(status, start + GID.length, end);
            } else if (startsWith(status, start, GROUPS)) {
                groups = numbers(status, start + GROUPS.length, end);
            }
            start = end + 1;
        }
        if (uids == null || gids == null) {
            throw new IOException("no Uid/Gid line in /proc status");
        }
        int gid = effective(gids, "Gid");
        return new ProcStatus(
                effective(uids, "Uid"),
                gid,
                Arrays.stream(groups)
                        .mapToInt(g -> (int) g)
                        .filter(g -> g != gid)
                        .distinct()
                        .sorted()
                        .boxed()
                        .toList());
    }

    /** {@code Uid:\treal\teffective\tsaved\tfs}. */
    private static int effective(long[] ids, String field) throws IOException {
        if (ids.length < 2) {
            throw new IOException("malformed /proc status line: " + field + " has " + ids.length + " values");
        }
        return (int) ids[1];
    }

    /** Whitespace-separated decimal ids in {@code [from, to)}; anything else is malformed. */
    private static long[] numbers(byte[] bytes, int from, int to) throws IOException {
        long[] values = new long[8];
        int count = 0;
        int i = from;
        while (true) {
            while (i < to && isBlank(bytes[i])) {
                i++;
            }
            if (i == to) {
                return Arrays.copyOf(values, count);
            }
            long value = 0;
            int digits = 0;
            for (; i < to && !isBlank(bytes[i]); i++, digits++) {
                int digit = bytes[i] - '0';
                if (digit < 0 || digit > 9 || digits == 10) {
                    throw new IOException("malformed id in /proc status: "
                            + new String(bytes, from, to - from, StandardCharsets.US_ASCII).strip());
                }
                value = value * 10 + digit;
            }
            if (value > UnixSelectors.MAX_ID) {
                throw new IOException("malformed id in /proc status: " + value + " is out of range");
            }
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
            }
            values[count++] = value;
        }
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }

    private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
        if (bytes.length - at < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return bytes.length;
    }
}
