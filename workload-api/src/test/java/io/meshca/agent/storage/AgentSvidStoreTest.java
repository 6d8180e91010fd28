package io.meshca.agent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.identity.AgentSvid;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentSvidStoreTest {

    private static final TrustDomain DOMAIN = TrustDomain.parse("example.org");
    private static final TestPki.Authority CA = TestPki.root(DOMAIN);
    private static final SpiffeId AGENT_ID = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/abc");

    @TempDir
    Path temp;

    @Test
    void roundTrip_withOwnerOnlyModes() throws Exception {
        Path dir = temp.resolve("data/agent");
        AgentSvidStore store = new AgentSvidStore(dir, DOMAIN);
        TestPki.Leaf leaf = CA.intermediate().leaf(AGENT_ID);
        AgentSvid svid = new AgentSvid(leaf.chain(), leaf.keyPair().getPrivate());
        TrustBundle bundle = new TrustBundle(DOMAIN, List.of(CA.certificate()), 0);

        store.save(svid, bundle);
        AgentSvidStore.Stored loaded = new AgentSvidStore(dir, DOMAIN).load().orElseThrow();

        assertThat(loaded.svid().chain()).isEqualTo(leaf.chain());
        assertThat(loaded.svid().privateKey().getEncoded())
                .isEqualTo(leaf.keyPair().getPrivate().getEncoded());
        assertThat(loaded.svid().spiffeId()).isEqualTo(AGENT_ID);
        assertThat(loaded.bundle().x509Authorities()).containsExactly(CA.certificate());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwx------");
        for (String name : List.of(AgentSvidStore.SVID_FILE, AgentSvidStore.KEY_FILE, AgentSvidStore.BUNDLE_FILE)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))))
                    .as(name)
                    .isEqualTo("rw-------");
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(
                            AgentSvidStore.SVID_FILE, AgentSvidStore.KEY_FILE, AgentSvidStore.BUNDLE_FILE);
        }
    }

    @Test
    void saveAgain_replacesTheStoredSvid() {
        AgentSvidStore store = new AgentSvidStore(temp, DOMAIN);
        TrustBundle bundle = new TrustBundle(DOMAIN, List.of(CA.certificate()), 0);
        TestPki.Leaf first = CA.leaf(AGENT_ID);
        TestPki.Leaf second = CA.leaf(AGENT_ID);
        store.save(new AgentSvid(first.chain(), first.keyPair().getPrivate()), bundle);
        store.save(new AgentSvid(second.chain(), second.keyPair().getPrivate()), bundle);

        assertThat(store.load().orElseThrow().svid().serial())
                .isEqualTo(second.certificate().getSerialNumber().toString(16));
    }

    @Test
    void nothingStored_isEmpty() {
        assertThat(new AgentSvidStore(temp.resolve("missing"), DOMAIN).load()).isEmpty();
    }

    @Test
    void corruptFiles_giveAClearError() throws Exception {
        AgentSvidStore store = new AgentSvidStore(temp, DOMAIN);
        TestPki.Leaf leaf = CA.leaf(AGENT_ID);
        store.save(
                new AgentSvid(leaf.chain(), leaf.keyPair().getPrivate()),
                new TrustBundle(DOMAIN, List.of(CA.certificate()), 0));
        Files.writeString(temp.resolve(AgentSvidStore.KEY_FILE), "not a key");

        assertThatThrownBy(store::load)
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("stored agent SVID")
                .hasMessageContaining("new join token");
    }

    @Test
    void keyOfAnotherSvid_isDetected_andNamesTheFiles() {
        AgentSvidStore store = new AgentSvidStore(temp, DOMAIN);
        TrustBundle bundle = new TrustBundle(DOMAIN, List.of(CA.certificate()), 0);
        TestPki.Leaf first = CA.leaf(AGENT_ID);
        // issued with an explicit key: Authority.leaf() signs every leaf for the CA's own key pair
        TestPki.Leaf second = CA.issue(
                new TestPki.Profile(false, AGENT_ID, List.of()),
                TestPki.keyPair(),
                Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(3600));
        store.save(new AgentSvid(first.chain(), first.keyPair().getPrivate()), bundle);
        assertThat(second.keyPair().getPublic()).isNotEqualTo(first.keyPair().getPublic());
        // as if the agent died between writing a renewed key and its chain
        store.saveSvid(new AgentSvid(first.chain(), second.keyPair().getPrivate()));

        assertThatThrownBy(store::load)
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("does not belong to the certificate")
                .hasMessageContaining("new join token");
    }

    @Test
    void bundleUpdate_leavesTheSvidAlone() {
        AgentSvidStore store = new AgentSvidStore(temp, DOMAIN);
        TestPki.Leaf leaf = CA.leaf(AGENT_ID);
        store.save(
                new AgentSvid(leaf.chain(), leaf.keyPair().getPrivate()),
                new TrustBundle(DOMAIN, List.of(CA.certificate()), 0));
        TestPki.Authority next = TestPki.root(DOMAIN);

        store.saveBundle(new TrustBundle(DOMAIN, List.of(CA.certificate(), next.certificate()), 1));

        AgentSvidStore.Stored loaded = store.load().orElseThrow();
        assertThat(loaded.svid().chain()).isEqualTo(leaf.chain());
        assertThat(loaded.bundle().x509Authorities()).containsExactly(CA.certificate(), next.certificate());
    }

    @Test
    void binaryStoredKey_isUnreadable_pointingAtRebootstrap() throws Exception {
        AgentSvidStore store = new AgentSvidStore(temp, DOMAIN);
        TestPki.Leaf leaf = CA.leaf(AGENT_ID);
        store.save(
                new AgentSvid(leaf.chain(), leaf.keyPair().getPrivate()),
                new TrustBundle(DOMAIN, List.of(CA.certificate()), 0));
        Files.write(
                temp.resolve(AgentSvidStore.KEY_FILE),
                leaf.keyPair().getPrivate().getEncoded());

        assertThatThrownBy(store::load)
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(
                        AgentSvidStore.KEY_FILE + " " + temp.resolve(AgentSvidStore.KEY_FILE) + " is not a PEM file")
                .hasMessageContaining("-rebootstrap");
    }
}
