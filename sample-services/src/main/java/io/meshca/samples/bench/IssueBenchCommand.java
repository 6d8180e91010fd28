package io.meshca.samples.bench;

import io.meshca.common.config.Durations;
import io.meshca.common.crypto.CryptoProvider;
import io.meshca.common.files.TextFiles;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench issue}: batch CSR signing through the agent API; last line {@code issue: rate=... provider=...}. */
@Command(
        name = "issue",
        mixinStandardHelpOptions = true,
        description = {
            "Start a ca-server in this process (or target one with -serverAddress), attest a bench agent with a "
                    + "join token, and drive BatchSignX509Svids over mutual TLS with pre-generated CSRs.",
            "The last line is `issue: rate=<certificates>/s p50=<ms> p99=<ms> errors=<n> provider=<name>` "
                    + "(latency per batch call; provider of the in-process server, `remote` otherwise)."
        })
public final class IssueBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    static final SpiffeId NODE = SpiffeId.parse("spiffe://example.org/meshca-bench/node");
    static final SpiffeId WORKLOAD = SpiffeId.parse("spiffe://example.org/meshca-bench/issue");

    @Option(
            names = "-duration",
            defaultValue = "20s",
            converter = Durations.Positive.class,
            description = "measured time after the warm-up (default: ${DEFAULT-VALUE})")
    Duration duration;

    // 20 s: with both cores busy signing, the JIT gets little CPU and is still compiling the hot path
    // 15 s in (measured: C1+C2 took a third of the CPU between 14 s and 26 s), which a server that
    // runs for days never pays again.
    @Option(
            names = "-warmup",
            defaultValue = "20s",
            converter = Durations.NonNegative.class,
            description = "unmeasured time first, so the JIT has compiled the hot path (default: ${DEFAULT-VALUE})")
    Duration warmup;

    // 4 callers x 50 CSRs: agents send up to 100 CSRs per call in a rotation storm (SvidRotator's
    // batch size), and of the shapes measured this one spent the least per certificate (8 x 10 and
    // 16 x 10 pay more per-call overhead).
    @Option(names = "-concurrency", defaultValue = "4", description = "concurrent callers (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(
            names = "-batch",
            defaultValue = "50",
            description = "CSRs per BatchSignX509Svids call (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(
            names = "-serverAddress",
            description = "host:port of a running ca-server (default: start one in this process)")
    String serverAddress;

    @Option(names = "-trustBundle", description = "with -serverAddress: the server's bundle PEM (`server bundle show`)")
    Path trustBundle;

    @Option(
            names = "-joinToken",
            description = "with -serverAddress: a join token made with `server token generate -spiffeID <node>`")
    String joinToken;

    @Option(
            names = "-entryID",
            description =
                    "with -serverAddress: an entry whose parent is that node (`server entry create -parentID <node> ...`)")
    String entryId;

    @Option(
            names = "-trustDomain",
            defaultValue = "example.org",
            description = "with -serverAddress (default: ${DEFAULT-VALUE})")
    String trustDomain;

    @Override
    public Integer call() throws Exception {
        BenchCommand.requirePositive(concurrency, "-concurrency");
        BenchCommand.requirePositive(batch, "-batch");
        PrintWriter out = spec.commandLine().getOut();
        IssueBench.Result result;
        if (serverAddress == null) {
            try (BenchServer bench = BenchServer.start("meshca-bench-issue")) {
                var server = bench.server;
                String token = bench.admin.generateJoinToken(Duration.ofMinutes(10), Optional.of(NODE));
                String entry = bench.admin
                        .createEntry(WORKLOAD, NODE, SelectorSet.of(Selector.parse("unix:uid:0")), Duration.ZERO)
                        .id();
                List<X509Certificate> bundle = bench.admin.trustBundle();
                out.println("bench: in-process ca-server on 127.0.0.1:" + server.agentApiPort() + ", crypto provider "
                        + CryptoProvider.get().name() + ", "
                        + Runtime.getRuntime().availableProcessors() + " cores");
                result = new IssueBench(
                                new IssueBench.Target(
                                        "127.0.0.1",
                                        server.agentApiPort(),
                                        server.trustDomain(),
                                        () -> bundle,
                                        token,
                                        entry,
                                        CryptoProvider.get().name()),
                                concurrency,
                                batch,
                                duration,
                                warmup,
                                out)
                        .run();
            }
        } else {
            if (trustBundle == null || joinToken == null || entryId == null) {
                throw new IllegalArgumentException("-serverAddress needs -trustBundle, -joinToken and -entryID");
            }
            int colon = serverAddress.lastIndexOf(':');
            if (colon < 1) {
                throw new IllegalArgumentException("-serverAddress must be host:port, got '" + serverAddress + "'");
            }
            List<X509Certificate> bundle = Pem.decodeCertificates(TextFiles.readPem(trustBundle, "trust bundle"));
            result = new IssueBench(
                            new IssueBench.Target(
                                    serverAddress.substring(0, colon),
                                    Integer.parseInt(serverAddress.substring(colon + 1)),
                                    TrustDomain.parse(trustDomain),
                                    () -> bundle,
                                    joinToken,
                                    entryId,
                                    "remote"),
                            concurrency,
                            batch,
                            duration,
                            warmup,
                            out)
                    .run();
        }
        out.println(result.cpuLine());
        out.println(result.line());
        out.flush();
        return result.errors() == 0 && result.certificates() > 0 ? 0 : 1;
    }
}
