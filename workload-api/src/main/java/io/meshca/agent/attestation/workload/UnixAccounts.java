package io.meshca.agent.attestation.workload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** User and group names from {@code /etc/passwd} and {@code /etc/group}; a missing file or id gives no name. */
public final class UnixAccounts {

    private final Path passwd;
    private final Path group;

    public UnixAccounts(Path passwd, Path group) {
        this.passwd = passwd;
        this.group = group;
    }

    public static UnixAccounts system() {
        return new UnixAccounts(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    public Optional<String> userName(int uid) {
        return nameOf(passwd, uid);
    }

    public Optional<String> groupName(int gid) {
        return nameOf(group, gid);
    }

    /** Both files have the form {@code name:password:id:...}. */
    private static Optional<String> nameOf(Path file, int id) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            // no such file (minimal containers) or unreadable: names are optional selectors
            return Optional.empty();
        }
        String wanted = Integer.toString(id);
        for (String line : lines) {
            String[] fields = line.split(":", -1);
            if (fields.length >= 3 && fields[2].equals(wanted) && !fields[0].isEmpty()) {
                return Optional.of(fields[0]);
            }
        }
        return Optional.empty();
    }
}
