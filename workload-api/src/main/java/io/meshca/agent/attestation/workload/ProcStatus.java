package io.meshca.agent.attestation.workload;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The ids of {@code /proc/<pid>/status}: the effective uid and gid (what the kernel checks access
 * with) and the supplementary groups.
 */
record ProcStatus(int effectiveUid, int effectiveGid, List<Integer> supplementaryGids) {

    ProcStatus {
        supplementaryGids = List.copyOf(supplementaryGids);
    }

    static ProcStatus parse(List<String> lines) throws IOException {
        try {
            return parseIds(lines);
        } catch (NumberFormatException e) {
            throw new IOException("malformed id in /proc status: " + e.getMessage(), e);
        }
    }

    private static ProcStatus parseIds(List<String> lines) throws IOException {
        Integer uid = null;
        Integer gid = null;
        List<Integer> groups = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("Uid:")) {
                uid = effective(line);
            } else if (line.startsWith("Gid:")) {
                gid = effective(line);
            } else if (line.startsWith("Groups:")) {
                for (String group : values(line)) {
                    groups.add(Integer.parseInt(group));
                }
            }
        }
        if (uid == null || gid == null) {
            throw new IOException("no Uid/Gid line in /proc status");
        }
        int primary = gid;
        groups.removeIf(g -> g == primary);
        return new ProcStatus(uid, gid, groups.stream().distinct().sorted().toList());
    }

    /** {@code Uid:\treal\teffective\tsaved\tfs}. */
    private static int effective(String line) throws IOException {
        String[] values = values(line);
        if (values.length < 2) {
            throw new IOException("malformed /proc status line: " + line);
        }
        return Integer.parseInt(values[1]);
    }

    private static String[] values(String line) {
        String rest = line.substring(line.indexOf(':') + 1).trim();
        return rest.isEmpty() ? new String[0] : rest.split("\\s+");
    }
}
