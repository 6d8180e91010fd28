package io.meshca.samples.bench;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.server.api.admin.AdminClient;
import io.meshca.server.model.AuthorityStatus;
import io.meshca.server.model.LocalX509Authority;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The operator's side of the rotation bench: each step through the server's admin API, as
 * {@code ./meshca server localauthority|upstreamauthority} takes it, followed by the wait an operator
 * owes the mesh before the next step (an authority reaches every workload's bundle before anything it
 * signs does; an authority is revoked only once nothing in use is chained to it).
 */
final class Operator {

    private static final Duration POLL = Duration.ofMillis(50);

    private final AdminClient admin;
    private final List<Workload> workloads;
    private final Duration timeout;

    /**
     * @param workloads whose sources must see an authority before it signs, and re-issue after a taint
     * @param timeout   the longest any wait may take; past it the step fails with what it waited for
     */
    Operator(AdminClient admin, List<Workload> workloads, Duration timeout) {
        this.admin = admin;
        this.workloads = List.copyOf(workloads);
        this.timeout = timeout;
    }

    LocalX509Authority active() {
        return admin.x509Authorities().stream()
                .filter(a -> a.status() == AuthorityStatus.ACTIVE)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the server shows no ACTIVE X.509 CA"));
    }

    Optional<LocalX509Authority> prepared() {
        return admin.x509Authorities().stream()
                .filter(a -> a.status() == AuthorityStatus.PREPARED)
                .findFirst();
    }

    /**
     * A forced rotation: prepare a CA (or take the one the schedule prepared), wait until every workload
     * trusts it if it is a root of the bundle (a CA under an upstream root is trusted through the root),
     * then activate it.
     *
     * @return the new active CA
     */
    LocalX509Authority rotate() throws InterruptedException {
        LocalX509Authority next = prepared().orElseGet(this::prepareOrTakeScheduled);
        X509Certificate ca = next.certificate();
        if (admin.trustBundle().contains(ca)) {
            awaitEveryWorkload("trusts the prepared CA " + next.authorityId(), w -> w.trusts(ca));
        }
        return admin.activateX509Authority(next.authorityId());
    }

    private LocalX509Authority prepareOrTakeScheduled() {
        try {
            return admin.prepareX509Authority();
        } catch (StatusRuntimeException e) {
            // the schedule prepared one between the look above and this call: that one is as good
            if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
                return prepared().orElseThrow(() -> e);
            }
            throw e;
        }
    }

    /**
     * The OLD CA that signed the SVIDs most workloads hold now: what a break-glass taint would aim at.
     *
     * @throws IllegalStateException if no workload holds an SVID of an OLD CA
     */
    LocalX509Authority oldCaInUse() {
        Map<String, Long> holders = workloads.stream()
                .map(Workload::issuerKeyId)
                .flatMap(Optional::stream)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        return admin.x509Authorities().stream()
                .filter(a -> a.status() == AuthorityStatus.OLD && !a.tainted())
                .filter(a -> holders.containsKey(a.authorityId()))
                .max(Comparator.comparing(a -> holders.get(a.authorityId())))
                .orElseThrow(() -> new IllegalStateException("no workload holds an SVID of an OLD X.509 CA"));
    }

    /**
     * Taints a local CA and waits until every workload that held an SVID it signed holds a new one;
     * records taint → new SVID per such workload.
     *
     * @return the workloads that were re-issued
     */
    List<Workload> taintLocal(String authorityId, Latencies reissue) throws InterruptedException {
        ReissueWatch watch = ReissueWatch.before(authorityId, workloads);
        admin.taintX509Authority(authorityId);
        watch.await(timeout, reissue);
        return watch.affected();
    }

    /** Revokes a tainted local CA: it leaves the bundle (if it was a root of it) and the journal. */
    void revokeLocal(String authorityId) {
        admin.revokeX509Authority(authorityId);
    }

    /**
     * Waits until the server publishes {@code root} (it reads the upstream's bundle file every caTtl/120)
     * and every workload's source holds it: only then may SVIDs chained to it reach peers.
     */
    void awaitTrusted(X509Certificate root) throws InterruptedException {
        awaitCondition(
                "the server publishes the new root", () -> admin.trustBundle().contains(root));
        awaitEveryWorkload("trusts the new root", w -> w.trusts(root));
    }

    /** Taints an upstream root and waits until no workload holds an SVID chained to it. */
    List<Workload> taintUpstream(String subjectKeyId, Latencies reissue) throws InterruptedException {
        ReissueWatch watch = ReissueWatch.before(subjectKeyId, workloads);
        admin.taintUpstreamAuthority(subjectKeyId);
        watch.await(timeout, reissue);
        return watch.affected();
    }

    /** Revokes a tainted upstream root and waits until it left the server's bundle and every workload's. */
    void revokeUpstream(String subjectKeyId, X509Certificate root) throws InterruptedException {
        admin.revokeUpstreamAuthority(subjectKeyId);
        awaitCondition(
                "the server drops the revoked root", () -> !admin.trustBundle().contains(root));
        awaitEveryWorkload("no longer trusts the revoked root", w -> !w.trusts(root));
    }

    private interface WorkloadCondition {
        boolean holds(Workload workload);
    }

    private void awaitEveryWorkload(String what, WorkloadCondition condition) throws InterruptedException {
        awaitCondition("every workload " + what, () -> workloads.stream().allMatch(condition::holds));
    }

    private void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited " + timeout.toSeconds() + " s in vain until " + what);
            }
            TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
        }
    }
}
