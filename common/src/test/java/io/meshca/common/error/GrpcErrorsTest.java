package io.meshca.common.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {

    @Test
    void resourceExhausted_carriesItsMessageAndRetryInfo() {
        StatusRuntimeException status =
                GrpcErrors.toStatus(new ResourceExhaustedException("signing queue full", Duration.ofMillis(1_250)));

        assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getStatus().getDescription()).isEqualTo("signing queue full");
        assertThat(GrpcErrors.retryDelay(status)).contains(Duration.ofMillis(1_250));
    }

    @Test
    void otherErrors_carryNoRetryDelay() {
        StatusRuntimeException status = GrpcErrors.toStatus(new UnavailableException("server away"));

        assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(GrpcErrors.retryDelay(status)).isEmpty();
        assertThat(GrpcErrors.retryDelay(Status.RESOURCE_EXHAUSTED.asRuntimeException()))
                .isEmpty();
    }

    @Test
    void retryAfter_mustBePositive() {
        assertThatThrownBy(() -> new ResourceExhaustedException("busy", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
