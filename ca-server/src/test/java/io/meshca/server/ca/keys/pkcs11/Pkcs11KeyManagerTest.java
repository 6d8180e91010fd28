package io.meshca.server.ca.keys.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.testing.TestPki;
import io.meshca.server.ca.keys.KeyManager;
import io.meshca.server.ca.keys.KeyManagerContractTest;
import io.meshca.server.ca.keys.KeyType;
import io.meshca.server.ca.keys.SigningKey;
import io.meshca.server.ca.keys.pkcs11.SoftHsm.Token;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.InvalidKeySpecException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key manager contract on a SoftHSM2 token, and what only a token-backed manager promises. */
class Pkcs11KeyManagerTest extends KeyManagerContractTest {

    @TempDir
    Path dir;

    private SoftHsm hsm;
    private Pkcs11KeyManager km;

    @BeforeEach
    void openAnEmptyToken() {
        hsm = SoftHsm.get();
        hsm.wipe(Token.CONTRACT);
        km = Pkcs11KeyManager.open(hsm.config(Token.CONTRACT, SoftHsm.pinFile(dir, SoftHsm.PIN)));
    }

    @Override
    protected KeyManager keyManager() {
        return km;
    }

    @Test
    void privateKeys_areSensitiveNonExtractableTokenObjects() throws Exception {
        km.generate("ca-ec");
        km.generate("jwt-rsa", KeyType.RSA_2048);

        KeyStore behind = hsm.keyStore(Token.CONTRACT);
        for (String id : List.of("ca-ec", "jwt-rsa")) {
            PrivateKey key = (PrivateKey) behind.getKey(id, null);
            assertThat(key.getEncoded()).as(id).isNull();
            // SunPKCS11 reports the object's CKA_TOKEN, CKA_SENSITIVE and CKA_EXTRACTABLE here
            assertThat(key.toString()).as(id).contains("token object, sensitive, unextractable");
        }
        PrivateKey ec = (PrivateKey) behind.getKey("ca-ec", null);
        KeyFactory factory = KeyFactory.getInstance("EC", behind.getProvider());
        assertThatThrownBy(() -> factory.getKeySpec(ec, ECPrivateKeySpec.class))
                .as("the token refuses to reveal the private value")
                .isInstanceOf(InvalidKeySpecException.class);
    }

    @Test
    void generate_replacingAnId_destroysTheOldKeyOnTheToken() {
        SigningKey first = km.generate("ca-r");
        SigningKey second = km.generate("ca-r");

        assertThatThrownBy(() -> first.sign(new byte[] {1}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("signing with key ca-r on the PKCS#11 token failed");
        assertThat(second.sign(new byte[] {1})).isNotEmpty();
        assertThat(km.list()).extracting(SigningKey::id).containsExactly("ca-r");
    }

    @Test
    void sign_isThreadSafe_underParallelSigning() throws Exception {
        SigningKey key = km.generate("ca-parallel");
        int threads = 8;
        int perThread = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    Signature verify = Signature.getInstance(key.signatureAlgorithm());
                    int verified = 0;
                    for (int i = 0; i < perThread; i++) {
                        byte[] data =
                                ByteBuffer.allocate(8).putInt(thread).putInt(i).array();
                        byte[] signature = key.sign(data);
                        verify.initVerify(key.publicKey());
                        verify.update(data);
                        if (verify.verify(signature)) {
                            verified++;
                        }
                    }
                    return verified;
                }));
            }
            int verified = 0;
            for (Future<Integer> result : results) {
                verified += result.get(60, TimeUnit.SECONDS);
            }
            assertThat(verified).isEqualTo(threads * perThread);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void entriesThatAreNotThisManagers_areNeitherListedNorReturned() throws Exception {
        km.generate("ours");
        KeyStore behind = hsm.keyStore(Token.CONTRACT);
        KeyPair foreign = TestPki.keyPair();
        X500Name name = new X500Name("CN=someone else");
        Certificate certificate = new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                name,
                                BigInteger.TEN,
                                Date.from(Instant.parse("2026-01-01T00:00:00Z")),
                                Date.from(Instant.parse("2027-01-01T00:00:00Z")),
                                name,
                                foreign.getPublic())
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(foreign.getPrivate())));
        behind.setKeyEntry("theirs", foreign.getPrivate(), null, new Certificate[] {certificate});

        Pkcs11KeyManager reopened =
                Pkcs11KeyManager.open(hsm.config(Token.CONTRACT, SoftHsm.pinFile(dir, SoftHsm.PIN)));

        assertThat(reopened.list()).extracting(SigningKey::id).containsExactly("ours");
        assertThat(reopened.get("theirs")).isEmpty();
    }
}
