package io.meshca.samples.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.meshca.agent.attestation.node.JoinTokenAttestor;
import io.meshca.agent.client.ServerChannels;
import io.meshca.agent.client.ServerClient;
import io.meshca.agent.identity.AgentCredentials;
import io.meshca.common.crypto.CryptoProvider;
import io.meshca.common.pki.Csrs;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.AgentGrpc;
import io.meshca.proto.server.v1.BatchSignX509SvidsRequest;
import io.meshca.proto.server.v1.BatchSignX509SvidsResponse;
import io.meshca.proto.server.v1.SvidSigningRequest;
import io.meshca.proto.server.v1.SvidSigningResult;
import java.io.PrintWriter;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Drives BatchSignX509Svids through the real agent API over mutual TLS, as an attested agent: N callers,
 * each sending one batch at a time and waiting for its answer, for a fixed time after a warm-up. CSRs
 * and the request messages are built before the clock starts, so the client spends its CPU on TLS and
 * protobuf only; results are counted, not parsed.
 */
final class IssueBench {

    /** What a run measured. */
    record Result(
            long certificates,
            double seconds,
            double p50Millis,
            double p99Millis,
            long errors,
            String provider,
            double cpuSeconds) {
        /**
         * CPU time this process (server and client when in-process) spent per certificate: unlike the
         * rate, it does not depend on what else the machine is running, so runs on a busy machine compare.
         */
        String cpuLine() {
            if (certificates == 0 || cpuSeconds <= 0) {
                return "cpu: unavailable";
            }
            double micros = cpuSeconds * 1e6 / certificates;
            int cores = Runtime.getRuntime().availableProcessors();
            return "cpu: " + Math.round(micros) + "us/certificate (this process) -> " + Math.round(cores * 1e6 / micros)
                    + "/s if it had all " + cores + " cores";
        }

        String line() {
            return "issue: rate=" + Math.round(certificates / seconds) + "/s p50=" + Latencies.ms(p50Millis) + " p99="
                    + Latencies.ms(p99Millis) + " errors=" + errors + " provider=" + provider;
        }
    }

    /** Where the agent API is and how the bench agent gets in. */
    record Target(
            String host,
            int port,
            TrustDomain trustDomain,
            Supplier<List<X509Certificate>> bundle,
            String joinToken,
            String entryId,
            String provider) {}

    private static final int DISTINCT_CSRS = 256;
    private static final int DISTINCT_BATCHES = 64;

    private final Target target;
    private final int concurrency;
    private final int batch;
    private final Duration duration;
    private final Duration warmup;
    private final PrintWriter progress;

    IssueBench(Target target, int concurrency, int batch, Duration duration, Duration warmup, PrintWriter progress) {
        if (concurrency < 1 || batch < 1 || batch > 1000) {
            throw new IllegalArgumentException("concurrency must be >= 1 and batch between 1 and 1000");
        }
        this.target = target;
        this.concurrency = concurrency;
        this.batch = batch;
        this.duration = duration;
        this.warmup = warmup;
        this.progress = progress;
    }

    Result run() throws InterruptedException {
        ManagedChannel attestation =
                ServerChannels.attestation(target.host(), target.port(), target.trustDomain(), target.bundle());
        ManagedChannel agentChannel = null;
        try {
            KeyPair agentKey = CryptoProvider.get().generateEcP256();
            JoinTokenAttestor attestor = new JoinTokenAttestor(target.joinToken());
            var attested = new ServerClient(attestation, attestation, Duration.ofSeconds(30))
                    .attest(attestor.type(), attestor.payload().orElseThrow(), agentKey);
            progress.println("bench: attested as " + attested.svid().spiffeId());
            progress.flush();
            agentChannel = ServerChannels.mutualTls(
                    target.host(),
                    target.port(),
                    target.trustDomain(),
                    new AgentCredentials(attested.svid(), attested.bundle()));
            List<BatchSignX509SvidsRequest> batches = prepareBatches();
            progress.println("bench: " + DISTINCT_CSRS + " CSRs ready; " + concurrency + " callers x batches of "
                    + batch + ", warm-up " + warmup.toSeconds() + "s, then " + duration.toSeconds() + "s measured");
            if (!warmup.isZero()) {
                drive(agentChannel, batches, warmup);
            }
            return drive(agentChannel, batches, duration);
        } finally {
            if (agentChannel != null) {
                ServerChannels.shutdown(agentChannel);
            }
            ServerChannels.shutdown(attestation);
        }
    }

    private List<BatchSignX509SvidsRequest> prepareBatches() {
        List<ByteString> csrs = new ArrayList<>(DISTINCT_CSRS);
        for (int i = 0; i < DISTINCT_CSRS; i++) {
            csrs.add(ByteString.copyFrom(Csrs.create(CryptoProvider.get().generateEcP256())));
        }
        List<BatchSignX509SvidsRequest> batches = new ArrayList<>(DISTINCT_BATCHES);
        int next = 0;
        for (int b = 0; b < DISTINCT_BATCHES; b++) {
            BatchSignX509SvidsRequest.Builder request = BatchSignX509SvidsRequest.newBuilder();
            for (int i = 0; i < batch; i++) {
                request.addRequests(SvidSigningRequest.newBuilder()
                        .setEntryId(target.entryId())
                        .setCsr(csrs.get(next++ % DISTINCT_CSRS)));
            }
            batches.add(request.build());
        }
        return batches;
    }

    private Result drive(ManagedChannel channel, List<BatchSignX509SvidsRequest> batches, Duration length)
            throws InterruptedException {
        AgentGrpc.AgentBlockingStub stub = AgentGrpc.newBlockingStub(channel);
        AtomicLong certificates = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Latencies> perCaller = new ArrayList<>();
        List<Thread> callers = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        long[] window = new long[2];
        for (int c = 0; c < concurrency; c++) {
            Latencies latencies = new Latencies();
            perCaller.add(latencies);
            int first = c;
            Thread t = new Thread(
                    () -> {
                        try {
                            start.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        long end = window[1];
                        int i = first;
                        long ok = 0;
                        long failed = 0;
                        while (System.nanoTime() < end) {
                            long t0 = System.nanoTime();
                            try {
                                BatchSignX509SvidsResponse response = stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                                        .batchSignX509Svids(batches.get(i++ % batches.size()));
                                latencies.record(System.nanoTime() - t0);
                                for (SvidSigningResult r : response.getResultsList()) {
                                    if (r.hasSvid()) {
                                        ok++;
                                    } else {
                                        failed++;
                                        firstError.compareAndSet(null, r.getErrorCode() + ": " + r.getErrorMessage());
                                    }
                                }
                            } catch (StatusRuntimeException e) {
                                failed += batch;
                                firstError.compareAndSet(null, e.getStatus().toString());
                            }
                        }
                        certificates.addAndGet(ok);
                        errors.addAndGet(failed);
                    },
                    "bench-caller-" + c);
            t.setDaemon(true);
            callers.add(t);
            t.start();
        }
        long cpuStart = ProcessStats.cpuNanos();
        window[0] = System.nanoTime();
        window[1] = window[0] + length.toNanos();
        start.countDown();
        for (Thread t : callers) {
            t.join();
        }
        double seconds = (System.nanoTime() - window[0]) / 1e9;
        double cpuSeconds = (ProcessStats.cpuNanos() - cpuStart) / 1e9;
        if (firstError.get() != null) {
            progress.println("bench: first error: " + firstError.get());
        }
        Latencies all = Latencies.merge(perCaller);
        return new Result(
                certificates.get(),
                seconds,
                all.percentileMillis(50),
                all.percentileMillis(99),
                errors.get(),
                target.provider(),
                cpuStart < 0 ? -1 : cpuSeconds);
    }
}
