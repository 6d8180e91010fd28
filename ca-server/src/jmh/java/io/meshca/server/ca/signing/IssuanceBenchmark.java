package io.meshca.server.ca.signing;

import io.meshca.common.crypto.CryptoProvider;
import io.meshca.common.pki.Csrs;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.ca.keys.SigningKey;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The issuance hot path one piece at a time, single-threaded, per crypto provider (each provider runs in
 * its own forked JVM because the choice is made once per process):
 * <ul>
 *   <li>{@code verifyCsr}: CsrParser.publicKey — parse + proof-of-possession check;</li>
 *   <li>{@code signSvid}: X509SvidSigner.sign — build + sign + encode + parse back;</li>
 *   <li>{@code issue}: both, i.e. one certificate from one CSR (no gRPC, no audit);</li>
 *   <li>{@code rawSign} / {@code rawVerify}: one bare ECDSA P-256 operation, the floor under the above.</li>
 * </ul>
 * Run: {@code ./mvnw -q -Pjmh -pl ca-server test-compile exec:exec@jmh} (see docs/performance.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IssuanceBenchmark {

    private static final SpiffeId ID = SpiffeId.parse("spiffe://example.org/bench");
    private static final int CSRS = 64;

    @Param({"Conscrypt", "jdk"})
    public String provider;

    private X509SvidSigner signer;
    private byte[][] csrs;
    private PublicKey[] keys;
    private SigningKey caKey;
    private Signature verifier;
    private byte[] tbs;
    private byte[] tbsSignature;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        // before anything touches CryptoProvider: the choice is made once per JVM
        System.setProperty(CryptoProvider.PROPERTY, provider);
        String expected = provider.equals("jdk") ? CryptoProvider.JDK : provider;
        if (!CryptoProvider.get().name().equals(expected)) {
            throw new IllegalStateException(
                    "wanted " + expected + ", got " + CryptoProvider.get().name());
        }
        caKey = new MemoryKeyManager().generate("ca");
        Clock clock = Clock.systemUTC();
        X509Certificate ca =
                RootCaFactory.selfSigned(TrustDomain.parse("example.org"), caKey, Duration.ofDays(1), clock);
        signer = new X509SvidSigner(() -> new X509Authority(ca, caKey, List.of()), clock);
        csrs = new byte[CSRS][];
        keys = new PublicKey[CSRS];
        for (int i = 0; i < CSRS; i++) {
            KeyPair pair = CryptoProvider.jdk().generateEcP256();
            csrs[i] = Csrs.create(pair);
            keys[i] = CsrParser.publicKey(csrs[i]);
        }
        tbs = new byte[400];
        tbsSignature = caKey.sign(tbs);
        verifier = CryptoProvider.get().signature("SHA256withECDSA");
        verifier.initVerify(CryptoProvider.get().importPublicKey(caKey.publicKey()));
    }

    @Benchmark
    public PublicKey verifyCsr() {
        return CsrParser.publicKey(csrs[next++ & (CSRS - 1)]);
    }

    @Benchmark
    public List<X509Certificate> signSvid() {
        return signer.sign(new SvidRequest(ID, keys[next++ & (CSRS - 1)], List.of(), Duration.ofHours(1)));
    }

    @Benchmark
    public List<X509Certificate> issue() {
        PublicKey key = CsrParser.publicKey(csrs[next++ & (CSRS - 1)]);
        return signer.sign(new SvidRequest(ID, key, List.of(), Duration.ofHours(1)));
    }

    @Benchmark
    public byte[] rawSign() {
        return caKey.sign(tbs);
    }

    @Benchmark
    public boolean rawVerify() throws Exception {
        verifier.update(tbs);
        return verifier.verify(tbsSignature);
    }
}
