package io.meshca.server.api.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.GrpcErrors;
import io.meshca.common.error.ResourceExhaustedException;
import io.meshca.common.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SigningAdmissionTest {

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final SigningAdmission admission = new SigningAdmission(100, clock);
    private final SigningAdmission thousand = new SigningAdmission(1000, clock);

    @Test
    void admitsUpToCapacity_thenRefusesTheWholeBatch_takingNothing() {
        SigningAdmission.Permit first = admission.admit(60);
        SigningAdmission.Permit second = admission.admit(40);

        assertThatThrownBy(() -> admission.admit(1)).isInstanceOf(ResourceExhaustedException.class);
        first.close();
        assertThatThrownBy(() -> admission.admit(61))
                .isInstanceOf(ResourceExhaustedException.class)
                .hasMessageStartingWith("signing queue full: 40 of 100 CSRs queued, 61 more asked; retry in ~");
        assertThat(admission.inUse()).isEqualTo(40);

        SigningAdmission.Permit third = admission.admit(60);
        assertThat(admission.inUse()).isEqualTo(100);
        second.close();
        third.close();
        assertThat(admission.inUse()).isZero();
    }

    @Test
    void permit_releasesOnce_however_oftenClosed() {
        SigningAdmission.Permit permit = admission.admit(30);
        permit.close();
        permit.close();

        assertThat(admission.inUse()).isZero();
        admission.admit(100); // the double close gave nothing back twice: exactly the capacity fits
        assertThatThrownBy(() -> admission.admit(1)).isInstanceOf(ResourceExhaustedException.class);
    }

    @Test
    void slots_areReleased_whenTheWorkThrows() {
        assertThatThrownBy(() -> {
                    try (SigningAdmission.Permit permit = admission.admit(50)) {
                        throw new IllegalStateException("signing failed");
                    }
                })
                .isInstanceOf(IllegalStateException.class);

        assertThat(admission.inUse()).isZero();
    }

    @Test
    void batchLargerThanTheQueue_isAdmittedAlone_onlyWhenTheQueueIsEmpty() {
        SigningAdmission.Permit small = admission.admit(1);
        assertThatThrownBy(() -> admission.admit(150)).isInstanceOf(ResourceExhaustedException.class);
        small.close();

        try (SigningAdmission.Permit large = admission.admit(150)) {
            assertThat(admission.inUse()).isEqualTo(150);
            assertThatThrownBy(() -> admission.admit(1)).isInstanceOf(ResourceExhaustedException.class);
        }
    }

    @Test
    void renewals_useTheReserve_whenTheQueueIsFull_andNothingElseCan() {
        admission.admit(100);
        assertThat(SigningAdmission.renewalReserve(100)).isEqualTo(10);

        for (int i = 0; i < 10; i++) {
            admission.admitRenewal();
        }
        assertThatThrownBy(admission::admitRenewal)
                .isInstanceOf(ResourceExhaustedException.class)
                .hasMessageStartingWith("signing queue full: 110 of 110 CSRs queued, 1 more asked");
        assertThatThrownBy(() -> admission.admit(1)).isInstanceOf(ResourceExhaustedException.class);
    }

    @Test
    void renewalReserve_isATenth_atLeastOne() {
        assertThat(SigningAdmission.renewalReserve(1)).isEqualTo(1);
        assertThat(SigningAdmission.renewalReserve(5000)).isEqualTo(500);
    }

    @Test
    void retryDelay_isTheTimeToDrainTheQueue_atTheMeasuredRate() {
        // the server works off 1,000 CSRs every 500 ms: 2,000 per second
        for (int i = 0; i < 12; i++) {
            SigningAdmission.Permit permit = thousand.admit(1000);
            clock.advance(Duration.ofMillis(500));
            permit.close();
        }
        SigningAdmission.Permit full = thousand.admit(1000);

        ResourceExhaustedException refused = refusal(() -> thousand.admit(1));

        // 1,000 queued at ~2,000/s: about half a second (the estimate approaches the rate from below)
        assertThat(refused.retryAfter()).isBetween(Duration.ofMillis(500), Duration.ofMillis(560));
        assertThat(refused.getMessage())
                .endsWith("retry in ~" + refused.retryAfter().toMillis() + " ms");
        assertThat(GrpcErrors.retryDelay(GrpcErrors.toStatus(refused))).contains(refused.retryAfter());
        full.close();
    }

    @Test
    void retryDelay_hasAFloor_andACap() {
        SigningAdmission one = new SigningAdmission(1, clock);
        one.admit(1);
        assertThat(refusal(() -> one.admit(1)).retryAfter()).isEqualTo(SigningAdmission.MIN_RETRY);

        // a million CSRs queued: longer than the cap at any rate measured here
        SigningAdmission huge = new SigningAdmission(1_000_000, clock);
        huge.admit(1_000_000);
        assertThat(refusal(() -> huge.admit(1)).retryAfter()).isEqualTo(SigningAdmission.MAX_RETRY);
    }

    @Test
    void idleTime_doesNotCountAsSlowSigning() {
        SigningAdmission.Permit permit = thousand.admit(1000);
        clock.advance(Duration.ofMillis(500));
        permit.close();
        clock.advance(Duration.ofMinutes(10)); // idle
        SigningAdmission.Permit again = thousand.admit(1000);
        clock.advance(Duration.ofMillis(500));
        again.close();

        thousand.admit(1000);
        // two windows at 2,000/s from the initial 1,000/s: 1,510/s, so ~662 ms for 1,000; idle time
        // counted as busy would have made it seconds
        assertThat(refusal(() -> thousand.admit(1)).retryAfter())
                .isBetween(Duration.ofMillis(600), Duration.ofMillis(700));
    }

    private static ResourceExhaustedException refusal(Runnable admit) {
        try {
            admit.run();
        } catch (ResourceExhaustedException e) {
            return e;
        }
        throw new AssertionError("expected a refusal");
    }
}
