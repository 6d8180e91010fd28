package io.meshca.agent.attestation.workload;

import java.nio.file.Path;
import java.util.Optional;

/**
 * User and group names from {@code /etc/passwd} and {@code /etc/group}; a missing file or id gives no
 * name. Each file is parsed once and again when it changes ({@link AccountFile}), so a renamed or new
 * account is seen on the next lookup.
 */
public final class UnixAccounts {

    private final AccountFile passwd;
    private final AccountFile group;

    public UnixAccounts(Path passwd, Path group) {
        this.passwd = new AccountFile(passwd);
        this.group = new AccountFile(group);
    }

    public static UnixAccounts system() {
        return new UnixAccounts(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    public Optional<String> userName(int uid) {
        return passwd.nameOf(uid);
    }

    public Optional<String> groupName(int gid) {
        return group.nameOf(gid);
    }
}
