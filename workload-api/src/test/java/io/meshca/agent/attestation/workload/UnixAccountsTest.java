package io.meshca.agent.attestation.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names are parsed once per version of the account files, and a changed file is seen on the next lookup. */
class UnixAccountsTest {

    @TempDir
    Path dir;

    private Path passwd;
    private Path group;
    private UnixAccounts accounts;

    @BeforeEach
    void files() throws Exception {
        passwd = Files.writeString(
                dir.resolve("passwd"), "root:x:0:0::/root:/bin/sh\norders:x:1001:101::/home/orders:/bin/sh\n");
        group = Files.writeString(dir.resolve("group"), "svc:x:101:\nsudo:x:27:orders\n");
        accounts = new UnixAccounts(passwd, group);
    }

    @Test
    void namesIdsOfBothFiles_andNothingElse() {
        assertThat(accounts.userName(1001)).hasValue("orders");
        assertThat(accounts.userName(0)).hasValue("root");
        assertThat(accounts.groupName(27)).hasValue("sudo");
        assertThat(accounts.userName(27)).isEmpty();
        assertThat(accounts.groupName(1001)).isEmpty();
    }

    @Test
    void passwdReplacedByRename_isSeen() throws Exception {
        assertThat(accounts.userName(1001)).hasValue("orders");

        // how useradd, vipw and sed -i write: a new file renamed over the old one
        Path fresh = Files.writeString(
                dir.resolve("passwd.new"), "root:x:0:0::/root:/bin/sh\nbilling:x:1001:101::/:/bin/sh\n");
        Files.move(fresh, passwd, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        assertThat(accounts.userName(1001)).hasValue("billing");
    }

    @Test
    void passwdEditedInPlace_sameSize_isSeenByItsModificationTime() throws Exception {
        FileTime before = FileTime.fromMillis(1_700_000_000_000L);
        Files.setLastModifiedTime(passwd, before);
        assertThat(accounts.userName(1001)).hasValue("orders");

        Files.writeString(passwd, Files.readString(passwd).replace("orders", "refund"));
        Files.setLastModifiedTime(passwd, FileTime.fromMillis(before.toMillis() + 1));

        assertThat(accounts.userName(1001)).hasValue("refund");
    }

    @Test
    void unchangedFile_isNotParsedAgain() throws Exception {
        FileTime modified = FileTime.fromMillis(1_700_000_000_000L);
        Files.setLastModifiedTime(passwd, modified);
        assertThat(accounts.userName(1001)).hasValue("orders");

        // Same inode, size and mtime: only a cached parse can still answer "orders".
        Files.writeString(passwd, Files.readString(passwd).replace("orders", "refund"));
        Files.setLastModifiedTime(passwd, modified);

        assertThat(accounts.userName(1001)).hasValue("orders");
    }

    @Test
    void groupFileAppearingAndVanishing_isSeen() throws Exception {
        Files.delete(group);
        assertThat(accounts.groupName(27)).isEmpty();

        Files.writeString(group, "wheel:x:27:\n");
        assertThat(accounts.groupName(27)).hasValue("wheel");

        Files.delete(group);
        assertThat(accounts.groupName(27)).isEmpty();
    }

    @Test
    void firstLineOfAnId_wins_andMalformedLinesNameNobody() {
        assertThat(AccountFile.parse("a:x:5:\nb:x:5:\n:x:6:\nc:x:07:\nd:x:seven:\n# comment\ne:x\n"))
                .containsExactlyEntriesOf(Map.of(5, "a"));
    }
}
