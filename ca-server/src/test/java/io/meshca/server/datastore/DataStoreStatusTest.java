package io.meshca.server.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.testing.FakeClock;
import java.net.ConnectException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DataStoreStatusTest {

    private static final SQLException REFUSED = new SQLException(
            "Connection to 127.0.0.1:5432 refused", "08001", new ConnectException("Connection refused"));

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T12:01:03.250Z"));
    private final AtomicInteger probes = new AtomicInteger();
    private volatile boolean databaseUp;
    private final List<Boolean> told = new CopyOnWriteArrayList<>();
    private final DataStoreStatus status = new DataStoreStatus(
            "127.0.0.1:5432",
            () -> {
                probes.incrementAndGet();
                if (!databaseUp) {
                    throw REFUSED;
                }
            },
            clock,
            clock.scheduler(),
            Duration.ofSeconds(1));

    {
        status.addListener(told::add);
    }

    @Test
    void aLostConnection_isUnavailable_namingTheCauseTheTargetAndSinceWhen() {
        RuntimeException failure = status.failure("database write failed", REFUSED);

        assertThat(failure)
                .isInstanceOf(DataStoreUnavailableException.class)
                .hasMessage("datastore unavailable: connection refused (127.0.0.1:5432) since 2026-03-01T12:01:03Z")
                .hasCause(REFUSED);
        assertThat(status.isAvailable()).isFalse();
        assertThat(told).containsExactly(false);
    }

    @Test
    void whileUnavailable_callsFailAtOnce_withTheOutagesStart() {
        status.failure("database read failed", REFUSED);
        clock.advance(Duration.ofSeconds(5));

        assertThatThrownBy(status::checkAvailable)
                .isInstanceOf(DataStoreUnavailableException.class)
                .hasMessage("datastore unavailable: connection refused (127.0.0.1:5432) since 2026-03-01T12:01:03Z");
    }

    @Test
    void aFailedStatement_isInternal_andChangesNothing() {
        RuntimeException failure = status.failure("database write failed", new SQLException("duplicate key", "23505"));

        assertThat(failure).isInstanceOf(DataStoreException.class).hasMessage("database write failed: duplicate key");
        assertThat(status.isAvailable()).isTrue();
        assertThatCode(status::checkAvailable).doesNotThrowAnyException();
        clock.advance(Duration.ofSeconds(5));
        assertThat(probes).hasValue(0);
    }

    @Test
    void probesRunOnlyWhileUnavailable_andTheFirstThatAnswers_makesItAvailable() {
        clock.advance(Duration.ofSeconds(5));
        assertThat(probes).hasValue(0);

        status.failure("database read failed", REFUSED);
        clock.runDue();
        assertThat(probes).as("the first probe runs at once").hasValue(1);
        clock.advance(Duration.ofSeconds(3));
        assertThat(probes).hasValue(4);
        assertThat(status.isAvailable()).isFalse();

        databaseUp = true;
        clock.advance(Duration.ofSeconds(1));

        assertThat(status.isAvailable()).isTrue();
        assertThatCode(status::checkAvailable).doesNotThrowAnyException();
        assertThat(told).containsExactly(false, true);
        clock.advance(Duration.ofSeconds(10));
        assertThat(probes).as("no probing once available").hasValue(5);
    }

    @Test
    void aSecondFailureDuringAnOutage_keepsItsStart_andTellsListenersOnce() {
        status.failure("database read failed", REFUSED);
        clock.advance(Duration.ofSeconds(2));

        RuntimeException second =
                status.failure("database read failed", new SQLException("FATAL: terminating connection", "57P01"));

        assertThat(second).hasMessageEndingWith("since 2026-03-01T12:01:03Z");
        assertThat(told).containsExactly(false);
    }

    @Test
    void closed_stopsProbing() {
        status.failure("database read failed", REFUSED);
        clock.runDue();
        status.close();
        databaseUp = true;

        clock.advance(Duration.ofSeconds(10));

        assertThat(probes).hasValue(1);
    }
}
