package io.meshca.agent.attestation.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.selector.SelectorVocabularies;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixWorkloadAttestorTest {

    private static final String STAT_FORMAT =
            "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 1 0 0 20 0 20 0 %s 1000 100";

    @TempDir
    Path dir;

    private Path proc;
    private Path exe;
    private UnixAccounts accounts;

    @BeforeEach
    void fakeProc() throws IOException {
        proc = dir.resolve("proc");
        Path pid = Files.createDirectories(proc.resolve("4242"));
        exe = Files.writeString(dir.resolve("java"), "not really a JVM");
        Files.createSymbolicLink(pid.resolve("exe"), exe);
        Files.writeString(pid.resolve("stat"), STAT_FORMAT.formatted("777"));
        Files.writeString(pid.resolve("status"), """
                Name:\tjava
                Uid:\t1000\t1001\t1001\t1001
                Gid:\t100\t101\t101\t101
                Groups:\t101 27 999\s
                """);
        Files.write(
                pid.resolve("cmdline"),
                "java\0-cp\0app.jar\0io.demo.Orders\0--port\0001\0".getBytes(StandardCharsets.UTF_8));
        Path passwd = Files.writeString(
                dir.resolve("passwd"), "root:x:0:0::/root:/bin/sh\norders:x:1001:101::/home/orders:/bin/sh\n");
        Path group = Files.writeString(dir.resolve("group"), "svc:x:101:\nsudo:x:27:orders\n");
        accounts = new UnixAccounts(passwd, group);
    }

    @Test
    void attestsIdsNamesExecutableAndJavaMainClass() throws Exception {
        SelectorSet selectors = new UnixWorkloadAttestor(proc, accounts, new ExecutableDigests()).attest(4242);

        assertThat(selectors.asSet())
                .map(Selector::toString)
                .containsExactlyInAnyOrder(
                        "unix:uid:1001",
                        "unix:user:orders",
                        "unix:gid:101",
                        "unix:group:svc",
                        "unix:supplementary_gid:27",
                        "unix:supplementary_group:sudo",
                        "unix:supplementary_gid:999",
                        "unix:path:" + exe,
                        "unix:sha256:" + sha256(exe),
                        "unix:java-main:io.demo.Orders");
    }

    @Test
    void everySelectorItProduces_isOneTheServerAcceptsInAnEntry() throws Exception {
        Files.write(
                proc.resolve("4242/cmdline"),
                "/usr/bin/java\0-jar\0/opt/orders/orders.jar\0".getBytes(StandardCharsets.UTF_8));

        SelectorSet selectors = new UnixWorkloadAttestor(proc, accounts, new ExecutableDigests()).attest(4242);

        assertThat(selectors.asSet())
                .map(Selector::value)
                .contains("java-jar:orders.jar")
                .allSatisfy(value -> assertThat(value).contains(":"));
        for (Selector selector : selectors) {
            assertThatCode(() -> SelectorVocabularies.BUILT_IN.check(selector)).doesNotThrowAnyException();
        }
    }

    @Test
    void missingAccountFiles_giveNoNames_butEverythingElse() {
        UnixAccounts none = new UnixAccounts(dir.resolve("no-passwd"), dir.resolve("no-group"));

        SelectorSet selectors = new UnixWorkloadAttestor(proc, none, new ExecutableDigests()).attest(4242);

        assertThat(selectors.asSet())
                .map(Selector::value)
                .contains("uid:1001", "gid:101")
                .noneMatch(value -> value.startsWith("user:") || value.startsWith("group:"));
    }

    @Test
    void aMainClassNoSelectorCanHold_isLeftOut_theRestIsAttested() throws Exception {
        Files.write(proc.resolve("4242/cmdline"), "java\0Evil\nClass\0".getBytes(StandardCharsets.UTF_8));

        SelectorSet selectors = new UnixWorkloadAttestor(proc, accounts, new ExecutableDigests()).attest(4242);

        assertThat(selectors.asSet())
                .map(Selector::value)
                .contains("uid:1001", "path:" + exe)
                .noneMatch(value -> value.startsWith("java-main:"));
    }

    @Test
    void malformedProcStatus_isRefusedAsUnattestable() throws Exception {
        Files.writeString(proc.resolve("4242/status"), "Uid:\tx\ty\nGid:\t1\t1\n");

        assertThatThrownBy(() -> new UnixWorkloadAttestor(proc, accounts, new ExecutableDigests()).attest(4242))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(UnixWorkloadAttestor.UNATTESTABLE);
    }

    @Test
    void pidReusedDuringAttestation_isRefused() {
        // The process exits and another takes its PID while the executable is being hashed.
        ExecutableDigests replacingProcess = new ExecutableDigests() {
            @Override
            public String sha256(Path content, Path path) throws IOException {
                Files.writeString(proc.resolve("4242/stat"), STAT_FORMAT.formatted("778"));
                return super.sha256(content, path);
            }
        };

        assertThatThrownBy(() -> new UnixWorkloadAttestor(proc, accounts, replacingProcess).attest(4242))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(UnixWorkloadAttestor.PROCESS_EXITED);
    }

    @Test
    void connectionStartTime_stillThePeer_isAttestedWithOneStatRead() {
        SelectorSet selectors = new UnixWorkloadAttestor(proc, accounts, new ExecutableDigests())
                .attest(4242, 777, new ProcessStartTimes(proc));

        assertThat(selectors.asSet())
                .map(Selector::value)
                .contains("uid:1001", "user:orders", "java-main:io.demo.Orders");
    }

    @Test
    void connectionStartTime_ofAnEarlierProcess_isRefusedAsPeerExited() {
        // The process that connected (start 700) exited; the PID now names a later one (777).
        assertThatThrownBy(() -> new UnixWorkloadAttestor(proc, accounts, new ExecutableDigests())
                        .attest(4242, 700, new ProcessStartTimes(proc)))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(WorkloadAttestor.PEER_EXITED);
    }

    @Test
    void connectionStartTime_pidReusedWhileReading_isRefusedAsPeerExited() {
        ExecutableDigests replacingProcess = new ExecutableDigests() {
            @Override
            public String sha256(Path content, Path path) throws IOException {
                Files.writeString(proc.resolve("4242/stat"), STAT_FORMAT.formatted("778"));
                return super.sha256(content, path);
            }
        };

        assertThatThrownBy(() -> new UnixWorkloadAttestor(proc, accounts, replacingProcess)
                        .attest(4242, 777, new ProcessStartTimes(proc)))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(WorkloadAttestor.PEER_EXITED);
    }

    @Test
    void accountRenamedBetweenCalls_isSeenOnTheNextCall() throws Exception {
        UnixWorkloadAttestor attestor = new UnixWorkloadAttestor(proc, accounts, new ExecutableDigests());
        assertThat(attestor.attest(4242).asSet()).map(Selector::value).contains("user:orders");

        Path renamed = Files.writeString(
                dir.resolve("passwd.new"), "root:x:0:0::/root:/bin/sh\nbilling:x:1001:101::/:/bin/sh\n");
        Files.move(renamed, dir.resolve("passwd"), StandardCopyOption.REPLACE_EXISTING);

        assertThat(attestor.attest(4242).asSet())
                .map(Selector::value)
                .contains("user:billing")
                .doesNotContain("user:orders");
    }

    @Test
    void procStatus_withoutGroups_orWithTheEffectiveGidAmongThem() throws Exception {
        Files.writeString(proc.resolve("4242/status"), "Name:\tsh\nUid:\t0\t0\t0\t0\nGid:\t5\t5\t5\t5\nGroups:\t5 \n");

        SelectorSet selectors = new UnixWorkloadAttestor(proc, accounts, new ExecutableDigests()).attest(4242);

        assertThat(selectors.asSet())
                .map(Selector::value)
                .contains("uid:0", "user:root", "gid:5")
                .noneMatch(value -> value.startsWith("supplementary_gid:"));
    }

    @Test
    void procStatus_idOutOfRange_isRefusedAsUnattestable() throws Exception {
        Files.writeString(proc.resolve("4242/status"), "Uid:\t1\t4294967295\t1\t1\nGid:\t1\t1\t1\t1\n");

        assertThatThrownBy(() -> new UnixWorkloadAttestor(proc, accounts, new ExecutableDigests()).attest(4242))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(UnixWorkloadAttestor.UNATTESTABLE);
    }

    @Test
    void startTime_isField22_countedFromTheLastParenthesis() throws Exception {
        assertThat(new ProcessStartTimes(proc).of(4242)).isEqualTo(777);
        assertThat(ProcessStartTimes.parse(
                        "1 (a) b) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 12345 9\n"
                                .getBytes(StandardCharsets.US_ASCII),
                        proc))
                .isEqualTo(12345);
        assertThatThrownBy(() -> ProcessStartTimes.parse("1 (a) R 1 2".getBytes(StandardCharsets.US_ASCII), proc))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ProcessStartTimes.parse("1 (a R 1 2".getBytes(StandardCharsets.US_ASCII), proc))
                .isInstanceOf(IOException.class);
    }

    @Test
    void processGone_isRefused() {
        assertThatThrownBy(() -> new UnixWorkloadAttestor(proc, accounts, new ExecutableDigests()).attest(999))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(UnixWorkloadAttestor.PROCESS_EXITED);
    }

    @Test
    void executableHash_isCachedByPathSizeAndMtime() throws Exception {
        AtomicInteger hashed = new AtomicInteger();
        ExecutableDigests counting = new ExecutableDigests() {
            @Override
            protected String hash(Path file) throws IOException {
                hashed.incrementAndGet();
                return super.hash(file);
            }
        };

        String first = counting.sha256(exe, exe);
        assertThat(counting.sha256(exe, exe)).isEqualTo(first);
        assertThat(hashed).hasValue(1);

        Files.writeString(exe, "a different binary, same path");
        String second = counting.sha256(exe, exe);
        assertThat(hashed).hasValue(2);
        assertThat(first).isEqualTo(sha256Of("not really a JVM"));
        assertThat(second).isEqualTo(sha256(exe)).isNotEqualTo(first);

        Files.setLastModifiedTime(exe, FileTime.fromMillis(0));
        counting.sha256(exe, exe);
        assertThat(hashed).hasValue(3);
    }

    @Test
    void attestsThisTestJvm_fromTheRealProc() throws Exception {
        int pid = (int) ProcessHandle.current().pid();

        SelectorSet selectors = UnixWorkloadAttestor.system().attest(pid);

        Path self = Files.readSymbolicLink(Path.of("/proc/self/exe"));
        assertThat(selectors.asSet())
                .map(Selector::toString)
                .contains(
                        "unix:uid:" + statusId("Uid:"),
                        "unix:gid:" + statusId("Gid:"),
                        "unix:path:" + self,
                        "unix:sha256:" + sha256(self));
        // Surefire forks "java ... -jar surefirebooter.jar" or "java ... ForkedBooter"
        assertThat(selectors.asSet())
                .map(Selector::value)
                .anyMatch(value -> value.startsWith("java-jar:") || value.startsWith("java-main:"));
    }

    private static String statusId(String field) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith(field))
                .map(line -> line.substring(field.length()).trim().split("\\s+")[1])
                .findFirst()
                .orElseThrow();
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static String sha256Of(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
