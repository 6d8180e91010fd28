package io.meshca.agent.attestation.workload;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.selector.UnixSelectors;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attests a local process from {@code /proc}, with SPIRE's {@code unix} selectors ({@link UnixSelectors}
 * names the keys and the server checks entries against them): {@code uid:},
 * {@code gid:}, {@code supplementary_gid:}, {@code user:}, {@code group:},
 * {@code supplementary_group:}, {@code path:} and {@code sha256:} of the executable, plus
 * {@code java-main:} and {@code java-jar:} for JVMs, which all share one executable.
 *
 * <p>A PID can be reused once its process exits. The process's start time is read before and after
 * everything else; if it changed (or the process is gone), the selectors may describe another process
 * and the call fails.
 */
public final class UnixWorkloadAttestor implements WorkloadAttestor {

    public static final String TYPE = UnixSelectors.TYPE;
    public static final String PROCESS_EXITED = "process exited during attestation";
    public static final String UNATTESTABLE = "the calling process could not be attested";

    private static final Logger log = LoggerFactory.getLogger(UnixWorkloadAttestor.class);

    private final Path procRoot;
    private final UnixAccounts accounts;
    private final ExecutableDigests digests;
    private final ProcessStartTimes startTimes;

    public UnixWorkloadAttestor(Path procRoot, UnixAccounts accounts, ExecutableDigests digests) {
        this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
        this.accounts = Objects.requireNonNull(accounts, "accounts");
        this.digests = Objects.requireNonNull(digests, "digests");
        this.startTimes = new ProcessStartTimes(procRoot);
    }

    /** The host's {@code /proc}, {@code /etc/passwd} and {@code /etc/group}. */
    public static UnixWorkloadAttestor system() {
        return new UnixWorkloadAttestor(Path.of("/proc"), UnixAccounts.system(), new ExecutableDigests());
    }

    /**
     * The {@code plugins.workloadAttestor.unix} plugin: {@link #system()}. Its block takes no keys, as
     * the agent has no unix attestor settings.
     *
     * @throws io.meshca.common.error.InvalidArgumentException naming a key of the block
     */
    public static UnixWorkloadAttestor create(PluginConfig block) {
        block.allowOnly();
        return system();
    }

    @Override
    public SelectorSet attest(int pid) {
        long startedBefore;
        try {
            startedBefore = startTimes.of(pid);
        } catch (IOException e) {
            throw new PermissionDeniedException(PROCESS_EXITED, e);
        }
        return attestAs(pid, startedBefore, startTimes, PROCESS_EXITED);
    }

    /**
     * The start time recorded when the connection was accepted is the "before" of the PID-reuse check:
     * the PID named that process then. If it still does after everything is read, it did all along (a
     * reused PID belongs to a later start time), so one read of {@code stat} per call is enough.
     */
    @Override
    public SelectorSet attest(int pid, long startTime, ProcessStartTimes startTimes) {
        return attestAs(pid, startTime, startTimes, PEER_EXITED);
    }

    private SelectorSet attestAs(int pid, long startTime, ProcessStartTimes startTimes, String exited) {
        List<Selector> selectors;
        try {
            selectors = read(procRoot.resolve(Integer.toString(pid)));
        } catch (IOException e) {
            log.debug("cannot attest pid {}: {}", pid, e.toString());
            throw new PermissionDeniedException(startTimes.isStill(pid, startTime) ? UNATTESTABLE : exited, e);
        }
        if (!startTimes.isStill(pid, startTime)) {
            throw new PermissionDeniedException(exited);
        }
        return SelectorSet.of(selectors);
    }

    private List<Selector> read(Path proc) throws IOException {
        List<Selector> selectors = new ArrayList<>();
        ProcStatus status = ProcStatus.parse(ProcFiles.read(proc.resolve("status")));

        add(selectors, UnixSelectors.UID, Integer.toString(status.effectiveUid()));
        accounts.userName(status.effectiveUid()).ifPresent(name -> add(selectors, UnixSelectors.USER, name));
        add(selectors, UnixSelectors.GID, Integer.toString(status.effectiveGid()));
        accounts.groupName(status.effectiveGid()).ifPresent(name -> add(selectors, UnixSelectors.GROUP, name));
        for (int gid : status.supplementaryGids()) {
            add(selectors, UnixSelectors.SUPPLEMENTARY_GID, Integer.toString(gid));
            accounts.groupName(gid).ifPresent(name -> add(selectors, UnixSelectors.SUPPLEMENTARY_GROUP, name));
        }

        Path exeLink = proc.resolve("exe");
        Path exe = Files.readSymbolicLink(exeLink);
        add(selectors, UnixSelectors.PATH, exe.toString());
        add(selectors, UnixSelectors.SHA256, digests.sha256(exeLink, exe));

        JavaCommandLine java = JavaCommandLine.parse(cmdline(proc));
        java.mainClass().ifPresent(main -> add(selectors, UnixSelectors.JAVA_MAIN, main));
        java.jarFileName().ifPresent(jar -> add(selectors, UnixSelectors.JAVA_JAR, jar));
        return selectors;
    }

    /**
     * A value no selector can hold (a control character or an over-long path or class name) is left
     * out: no registration entry could name it, so it could never match anyway.
     */
    private static void add(List<Selector> selectors, String key, String value) {
        try {
            selectors.add(new Selector(TYPE, UnixSelectors.value(key, value)));
        } catch (InvalidArgumentException e) {
            log.debug("left out an unrepresentable selector: {}", e.getMessage());
        }
    }

    private static List<String> cmdline(Path proc) throws IOException {
        String raw = new String(ProcFiles.read(proc.resolve("cmdline")), StandardCharsets.UTF_8);
        if (raw.endsWith("\0")) {
            raw = raw.substring(0, raw.length() - 1);
        }
        return raw.isEmpty() ? List.of() : Arrays.asList(raw.split("\0", -1));
    }
}
