package io.meshca.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditSpoolTest {

    @TempDir
    Path dir;

    private static TimedAuditEvent row(int n) {
        // every field, including an empty one and text that is not ASCII, must come back as it went in
        return new TimedAuditEvent(
                new AuditEvent(
                        "admin:local", "admin.CreateEntry", "spiffe://example.org/wéb " + n, n == 2 ? "" : "id=" + n),
                1_000L * n);
    }

    @Test
    void rows_comeBackInOrder_asTheyWentIn_fromA0600File() throws Exception {
        AuditSpool spool = AuditSpool.in(dir);
        spool.append(List.of(row(1), row(2)));
        spool.append(List.of(row(3)));

        assertThat(spool.pending()).isEqualTo(3);
        assertThat(spool.peek(10).events()).containsExactly(row(1), row(2), row(3));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(spool.file())))
                .isEqualTo("rw-------");
        spool.close();
    }

    @Test
    void storedBatches_areNotReadAgain_andTheFilesGo_onceAllAreStored() throws Exception {
        AuditSpool spool = AuditSpool.in(dir);
        spool.append(List.of(row(1), row(2), row(3)));

        AuditSpool.Batch first = spool.peek(2);
        spool.stored(first);

        assertThat(spool.pending()).isEqualTo(1);
        assertThat(spool.peek(10).events()).containsExactly(row(3));
        spool.stored(spool.peek(10));
        assertThat(spool.isEmpty()).isTrue();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aRestart_continuesAfterTheLastStoredBatch() throws Exception {
        AuditSpool before = AuditSpool.in(dir);
        before.append(List.of(row(1), row(2), row(3)));
        before.stored(before.peek(1));
        before.close();

        AuditSpool after = AuditSpool.in(dir);

        assertThat(after.pending()).isEqualTo(2);
        assertThat(after.peek(10).events()).containsExactly(row(2), row(3));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(AuditSpool.STORED_FILE))))
                .isEqualTo("rw-------");
    }

    @Test
    void aRowTornByACrash_isCut_andRowsAppendedLaterReadBackWhole() throws Exception {
        AuditSpool before = AuditSpool.in(dir);
        before.append(List.of(row(1)));
        before.close();
        Files.writeString(
                dir.resolve(AuditSpool.FILE), "v1 2000 YWRt", StandardCharsets.US_ASCII, StandardOpenOption.APPEND);

        AuditSpool after = AuditSpool.in(dir);
        after.append(List.of(row(3)));

        assertThat(after.pending()).isEqualTo(2);
        assertThat(after.peek(10).events()).containsExactly(row(1), row(3));
        after.close();
    }

    @Test
    void anEmptyDir_hasAnEmptySpool_andNoFile() {
        AuditSpool spool = AuditSpool.in(dir);

        assertThat(spool.isEmpty()).isTrue();
        assertThat(dir).isEmptyDirectory();
    }
}
