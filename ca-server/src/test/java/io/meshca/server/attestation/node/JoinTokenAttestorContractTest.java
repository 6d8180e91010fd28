package io.meshca.server.attestation.node;

import io.meshca.common.testing.FakeClock;
import io.meshca.server.datastore.DataStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

class JoinTokenAttestorContractTest extends NodeAttestorContractTest {

    @TempDir
    Path dir;

    private DataStore store;
    private JoinTokens tokens;

    @BeforeEach
    void setUp() {
        FakeClock clock = new FakeClock(Instant.parse("2026-03-01T12:00:00Z"));
        store = DataStore.sqlite(dir, clock);
        tokens = new JoinTokens(TD, store.joinTokens(), clock);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Override
    protected NodeAttestor attestor() {
        return new JoinTokenAttestor(tokens);
    }

    @Override
    protected byte[] validEvidence() {
        return tokens.generate(Duration.ofMinutes(10)).token().getBytes(StandardCharsets.UTF_8);
    }
}
