package io.meshca.server.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValidityPolicyTest {

    private final ValidityPolicy policy = new ValidityPolicy(Duration.ZERO, Duration.ofHours(48));

    @Test
    void zeroOrNegative_meansTheDefault_upToTheMaximum_isHonoured() {
        assertThat(policy.ttlFor(0)).isZero();
        assertThat(policy.ttlFor(-5)).isZero();
        assertThat(policy.ttlFor(86_400)).isEqualTo(Duration.ofHours(24));
        assertThat(policy.ttlFor(172_800)).isEqualTo(Duration.ofHours(48));
    }

    @Test
    void aboveTheMaximum_isRefusedNamingBothValues() {
        assertThatThrownBy(() -> policy.ttlFor(172_801))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("requested validity_duration 172801s exceeds the maximum 172800s (istioCa.maxTtl)");
    }
}
