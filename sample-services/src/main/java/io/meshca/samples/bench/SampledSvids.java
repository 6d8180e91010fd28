package io.meshca.samples.bench;

import io.grpc.Status;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.KeyIdentifiers;
import io.meshca.proto.workload.X509SVID;
import io.meshca.proto.workload.X509SVIDResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One workload per agent, watching its X509-SVID over that agent's Workload API: what a workload really
 * receives, checked where the agents' events cannot tell — which authority signed the SVID, and which
 * authorities the bundle holds. Every message is kept as an {@link Observation} with its arrival time.
 */
final class SampledSvids implements AutoCloseable {

    private static final long POLL_MILLIS = 10;

    /** One message of a stream: when it arrived, the issuer key ID of its first SVID, the bundle's key IDs. */
    record Observation(long atNanos, String issuerId, Set<String> bundleIds) {}

    private final WorkloadStreams streams;
    private final List<Sample> samples = new ArrayList<>();
    private final List<WorkloadStreams.Stream> open = new ArrayList<>();

    private static final class Sample {
        final Path socket;
        final List<Observation> seen = new ArrayList<>();
        final AtomicReference<Status> failure = new AtomicReference<>();

        Sample(Path socket) {
            this.socket = socket;
        }

        synchronized void add(Observation o) {
            seen.add(o);
        }

        synchronized Optional<Observation> first(long afterNanos, Predicate<Observation> test) {
            return seen.stream()
                    .filter(o -> o.atNanos() >= afterNanos && test.test(o))
                    .findFirst();
        }
    }

    /** Opens a FetchX509SVID stream on each agent socket; this process must be a workload of each. */
    SampledSvids(List<Path> agentSockets) {
        this.streams = new WorkloadStreams(agentSockets.get(0));
        for (Path socket : agentSockets) {
            Sample sample = new Sample(socket);
            samples.add(sample);
            open.add(streams.open(socket, message -> observe(sample, message), sample.failure::set));
        }
    }

    private static void observe(Sample sample, X509SVIDResponse message) {
        long at = System.nanoTime();
        if (message.getSvidsCount() == 0) {
            return;
        }
        X509SVID svid = message.getSvids(0);
        X509Certificate leaf =
                Certificates.parseConcatenated(svid.getX509Svid().toByteArray()).get(0);
        Set<String> bundle = Certificates.parseConcatenated(svid.getBundle().toByteArray()).stream()
                .flatMap(c -> KeyIdentifiers.subjectKeyId(c).stream())
                .collect(Collectors.toUnmodifiableSet());
        sample.add(new Observation(at, KeyIdentifiers.authorityKeyId(leaf).orElse(""), bundle));
    }

    int size() {
        return samples.size();
    }

    /**
     * Waits until every stream has received, at or after {@code afterNanos}, a message that passes
     * {@code test}; returns each stream's first such message (empty for those still without one at the
     * deadline).
     */
    List<Optional<Observation>> await(long afterNanos, Predicate<Observation> test, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Optional<Observation>> found =
                    samples.stream().map(s -> s.first(afterNanos, test)).toList();
            if (found.stream().allMatch(Optional::isPresent) || System.nanoTime() > deadline) {
                return found;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** The first stream failure, if any stream failed, naming its socket. */
    Optional<String> failure() {
        return samples.stream()
                .filter(s -> s.failure.get() != null)
                .findFirst()
                .map(s -> s.socket + ": " + s.failure.get());
    }

    @Override
    public void close() {
        open.forEach(WorkloadStreams.Stream::close);
        streams.close();
    }
}
