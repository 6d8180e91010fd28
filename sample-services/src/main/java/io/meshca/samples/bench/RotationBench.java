package io.meshca.samples.bench;

import io.meshca.server.model.LocalX509Authority;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The rotation bench: N orders → payments pairs call each other over mTLS through java-spiffe while the
 * server's CA rotates on its schedule, and after each automatic rotation (when time is left) the
 * operator drives one cycle: a forced rotation (prepare, activate), a taint and revoke of the OLD CA
 * the workloads' SVIDs come from, and a rotation of the corporate root under the {@code disk} upstream
 * authority (new root in the bundle file, wait until every workload trusts it, switch the signing
 * files, prepare and activate, taint the old root, wait until every workload was re-issued, revoke it).
 * Every failed request is told as it fails; nothing is retried.
 */
final class RotationBench {

    /** What to run. */
    record Options(Duration duration, int pairs, Duration caTtl, int load, double ratePerPair) {}

    /** The figures of a run; {@link #line()} is the bench's last line. */
    record Result(
            long requests,
            long failed,
            int caRotations,
            int taints,
            int rootRotations,
            double reissueP99Millis,
            List<String> problems) {

        String line() {
            return "rotation: requests=" + requests + " failed=" + failed + " ca_rotations=" + caRotations
                    + " taints=" + taints + " root_rotations=" + rootRotations + " reissue_p99="
                    + Latencies.ms(reissueP99Millis);
        }

        boolean passed() {
            return failed == 0 && problems.isEmpty();
        }
    }

    private static final Duration ROOT_TTL = Duration.ofDays(1);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private final Options options;
    private final Consumer<String> say;
    private final List<Latencies> reissue = new ArrayList<>();
    private final Set<String> activeCas = new HashSet<>();
    private final List<String> problems = new ArrayList<>();
    private int taints;
    private int rootRotations;
    private int rootNumber = 1;
    private volatile long startNanos;

    /** @param say told each progress line and each failed request (thread-safe) */
    RotationBench(Options options, Consumer<String> say) {
        this.options = options;
        this.say = say;
    }

    Result run() throws IOException, InterruptedException {
        CorporateRoot root = CorporateRoot.generate(rootName(), Instant.now(), ROOT_TTL);
        List<MtlsPair> pairs = new ArrayList<>();
        try (RotationMesh mesh = RotationMesh.start(options.caTtl(), Optional.of(root));
                CpuLoad load = CpuLoad.start(options.load())) {
            for (int i = 1; i <= options.pairs(); i++) {
                mesh.register(MtlsPair.ordersId(RotationMesh.TRUST_DOMAIN, i).toString());
                mesh.register(MtlsPair.paymentsId(RotationMesh.TRUST_DOMAIN, i).toString());
            }
            Duration timeout = options.caTtl().dividedBy(2);
            startNanos = System.nanoTime();
            try {
                for (int i = 1; i <= options.pairs(); i++) {
                    pairs.add(MtlsPair.open(
                            RotationMesh.TRUST_DOMAIN,
                            i,
                            mesh.workloadApi(),
                            Duration.ofSeconds(60),
                            failure -> say("request failed: " + failure.format()),
                            (by, peer, reason) -> say(by + " refused " + peer + ": " + reason)));
                }
                Duration connecting = Duration.ofNanos(System.nanoTime() - startNanos);
                List<Workload> workloads =
                        pairs.stream().flatMap(p -> p.workloads().stream()).toList();
                Operator operator = new Operator(mesh.admin(), workloads, timeout);
                LocalX509Authority active = operator.active();
                activeCas.add(active.authorityId());
                // the clock of every line from here on is the traffic's
                startNanos = System.nanoTime();
                say(options.pairs() + " pairs connected in " + connecting.toMillis() + " ms; CA "
                        + active.authorityId() + " under root \"" + root.subject() + "\" (caTtl "
                        + options.caTtl().toSeconds() + " s), " + load.threads() + " busy threads; calling "
                        + options.ratePerPair() + "/s per pair for "
                        + options.duration().toSeconds() + " s");
                pairs.forEach(p -> p.start(options.ratePerPair()));
                drive(mesh, operator, root, pairs);
            } finally {
                pairs.forEach(MtlsPair::close);
            }
        }
        long succeeded = pairs.stream().mapToLong(MtlsPair::succeeded).sum();
        long failed = pairs.stream().mapToLong(MtlsPair::failed).sum();
        return new Result(
                succeeded + failed,
                failed,
                activeCas.size() - 1,
                taints,
                rootRotations,
                Latencies.merge(reissue).percentileMillis(99),
                List.copyOf(problems));
    }

    /** Until the duration is over: watch for automatic rotations, and after each run a cycle if time is left. */
    private void drive(RotationMesh mesh, Operator operator, CorporateRoot firstRoot, List<MtlsPair> pairs)
            throws InterruptedException {
        long end = startNanos + options.duration().toNanos();
        // a cycle takes a few seconds; one that would not end before the run does is not started
        long cycleBudget = options.caTtl().dividedBy(4).toNanos();
        long nextProgress = startNanos + PROGRESS_EVERY.toNanos();
        CorporateRoot root = firstRoot;
        String lastActive = operator.active().authorityId();
        while (System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
            if (System.nanoTime() >= nextProgress) {
                say(progress(pairs));
                nextProgress += PROGRESS_EVERY.toNanos();
            }
            LocalX509Authority active = operator.active();
            if (active.authorityId().equals(lastActive)) {
                continue;
            }
            activeCas.add(active.authorityId());
            say("automatic CA rotation: " + lastActive + " -> " + active.authorityId());
            if (problems.isEmpty() && end - System.nanoTime() >= cycleBudget) {
                try {
                    root = cycle(mesh, operator, root);
                } catch (RuntimeException e) {
                    problems.add("the operator's cycle failed: " + e.getMessage());
                    say("FAILED: " + problems.get(problems.size() - 1));
                }
            }
            lastActive = operator.active().authorityId();
            activeCas.add(lastActive);
        }
    }

    /** One operator cycle; returns the corporate root in use after it. */
    private CorporateRoot cycle(RotationMesh mesh, Operator operator, CorporateRoot root) throws InterruptedException {
        LocalX509Authority forced = rotate(operator);

        LocalX509Authority old = operator.oldCaInUse();
        Latencies local = newSamples();
        List<Workload> reissued = operator.taintLocal(old.authorityId(), local);
        taints++;
        say("tainted OLD CA " + old.authorityId() + ": " + reissued.size() + " workloads re-issued, slowest after "
                + Latencies.ms(Latencies.merge(List.of(local)).percentileMillis(100)) + " ms");
        operator.revokeLocal(old.authorityId());
        say("revoked CA " + old.authorityId());

        DiskUpstreamFiles upstream = mesh.upstream()
                .orElseThrow(() -> new IllegalStateException("the bench's server has no disk upstream authority"));
        rootNumber++;
        CorporateRoot next = CorporateRoot.generate(rootName(), Instant.now(), ROOT_TTL);
        upstream.trust(List.of(root, next));
        operator.awaitTrusted(next.certificate());
        say("root \"" + next.subject() + "\" published and trusted by every workload");
        upstream.signWith(next);
        LocalX509Authority underNext = rotate(operator);
        if (!underNext.upstreamAuthorityId().equals(Optional.of(next.subjectKeyId()))) {
            // the schedule had prepared a CA under the old root before the switch: one more rotation
            underNext = rotate(operator);
        }
        Latencies upstreamSamples = newSamples();
        reissued = operator.taintUpstream(root.subjectKeyId(), upstreamSamples);
        taints++;
        say("tainted old root " + root.subjectKeyId() + ": " + reissued.size()
                + " workloads re-issued, slowest after "
                + Latencies.ms(Latencies.merge(List.of(upstreamSamples)).percentileMillis(100)) + " ms");
        operator.revokeUpstream(root.subjectKeyId(), root.certificate());
        upstream.trust(List.of(next));
        rootRotations++;
        say("revoked old root " + root.subjectKeyId() + "; root rotation done");
        return next;
    }

    /** A forced rotation, said as what it was: a CA prepared now, or the one the schedule had prepared. */
    private LocalX509Authority rotate(Operator operator) throws InterruptedException {
        Optional<LocalX509Authority> scheduled = operator.prepared();
        LocalX509Authority active = operator.rotate();
        activeCas.add(active.authorityId());
        say((scheduled.isPresent() ? "activated the CA the schedule had prepared, " : "prepared and activated CA ")
                + active.authorityId());
        return active;
    }

    private Latencies newSamples() {
        Latencies samples = new Latencies();
        reissue.add(samples);
        return samples;
    }

    private String rootName() {
        return "meshca bench root " + rootNumber;
    }

    private String progress(List<MtlsPair> pairs) {
        long ok = pairs.stream().mapToLong(MtlsPair::succeeded).sum();
        long failed = pairs.stream().mapToLong(MtlsPair::failed).sum();
        return "requests=" + (ok + failed) + " failed=" + failed + " ca_rotations=" + (activeCas.size() - 1)
                + " taints=" + taints + " root_rotations=" + rootRotations;
    }

    private void say(String line) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        say.accept(String.format(Locale.ROOT, "rotation: +%5.1fs %s", seconds, line));
    }
}
