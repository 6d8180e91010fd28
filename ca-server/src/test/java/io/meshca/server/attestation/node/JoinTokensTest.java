package io.meshca.server.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.datastore.DataStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoinTokensTest {

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T12:00:00Z"));
    private DataStore store;
    private JoinTokens tokens;
    private JoinTokenAttestor attestor;

    @BeforeEach
    void setUp() {
        store = DataStore.sqlite(dir, clock);
        tokens = new JoinTokens(TrustDomain.parse("example.org"), store.joinTokens(), clock);
        attestor = new JoinTokenAttestor(tokens);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void token_has256RandomBits_andAPublicIdDistinctFromIt() {
        JoinToken t = tokens.generate(Duration.ofSeconds(600));

        assertThat(Base64.getUrlDecoder().decode(t.token())).hasSize(32);
        assertThat(t.id()).isNotEqualTo(t.token());
        assertThat(t.token()).doesNotContain(t.id());
        assertThat(t.expiresAt()).isEqualTo(clock.instant().plusSeconds(600));
        assertThat(t.toString()).doesNotContain(t.token());
    }

    @Test
    void attest_yieldsAgentIdFromTheTokenId_neverTheToken() {
        JoinToken t = tokens.generate(Duration.ofSeconds(600));

        AttestResult r = AttestSteps.attested(attestor.attest(utf8(t.token())));

        assertThat(r.agentId().toString()).isEqualTo("spiffe://example.org/meshca/agent/join_token/" + t.id());
        assertThat(r.agentId().toString()).doesNotContain(t.token());
        assertThat(r.selectors().contains(JoinTokens.selector(t.id()))).isTrue();
    }

    @Test
    void token_isSingleUse() {
        JoinToken t = tokens.generate(Duration.ofSeconds(600));
        attestor.attest(utf8(t.token()));

        assertThatThrownBy(() -> attestor.attest(utf8(t.token())))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(JoinTokens.REUSED);
    }

    @Test
    void expiredToken_isRefusedAsExpired() {
        JoinToken t = tokens.generate(Duration.ofSeconds(600));
        clock.advance(Duration.ofSeconds(600));

        assertThatThrownBy(() -> attestor.attest(utf8(t.token())))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(JoinTokens.EXPIRED);
    }

    @Test
    void unknownToken_isRefusedAsUnknown() {
        assertThatThrownBy(() -> attestor.attest(utf8("not-a-token")))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(JoinTokens.UNKNOWN);
    }

    @Test
    void onlyTheHashIsAtRest_theRawTokenIsNowhereInTheDatabase() throws Exception {
        JoinToken t = tokens.generate(Duration.ofSeconds(600));
        attestor.attest(utf8(t.token()));
        store.close();

        StringBuilder everything = new StringBuilder();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(DataStore.SQLITE_FILE));
                Statement s = c.createStatement();
                ResultSet tables = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            List<String> names = new ArrayList<>();
            while (tables.next()) {
                names.add(tables.getString(1));
            }
            for (String table : names) {
                try (Statement q = c.createStatement();
                        ResultSet rows = q.executeQuery("SELECT * FROM \"" + table + "\"")) {
                    while (rows.next()) {
                        for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                            everything.append(rows.getString(i)).append('\n');
                        }
                    }
                }
            }
        }
        assertThat(everything).contains(JoinTokens.hash(t.token()));
        assertThat(everything.toString()).doesNotContain(t.token());
        for (Path file : Files.list(dir).toList()) {
            if (Files.isRegularFile(file)) {
                assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                        .doesNotContain(t.token());
            }
        }
        store = DataStore.sqlite(dir, clock);
    }

    @Test
    void concurrentRedemptions_exactlyOneSucceeds() throws Exception {
        JoinToken t = tokens.generate(Duration.ofSeconds(600));
        var pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    try {
                        attestor.attest(utf8(t.token()));
                        return true;
                    } catch (PermissionDeniedException e) {
                        return false;
                    }
                }));
            }
            long ok = 0;
            for (var r : results) {
                ok += r.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(ok).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void nonPositiveTtl_isRefused() {
        assertThatThrownBy(() -> tokens.generate(Duration.ZERO)).hasMessageContaining("must be positive");
    }

    /** Without the redraw, 1 token in 64 starts with '-': 1,000 of them would all but surely show one. */
    @Test
    void noTokenStartsWithADash_soACommandLineNeverTakesItForAnOption() {
        for (int i = 0; i < 1000; i++) {
            assertThat(tokens.generate(Duration.ofMinutes(1)).token()).doesNotStartWith("-");
        }
    }
}
