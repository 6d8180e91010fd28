package io.meshca.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.meshca.agent.testing.InProcessServices;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AgentHealthServiceTest {

    @RegisterExtension
    final InProcessServices services = new InProcessServices();

    private final AtomicBoolean holdsValidSvid = new AtomicBoolean(true);

    @Test
    void servingWhileTheAgentHoldsAValidSvid_notServingTheMomentItHoldsNone() {
        HealthGrpc.HealthBlockingStub health =
                HealthGrpc.newBlockingStub(services.start(new AgentHealthService(holdsValidSvid::get).bindService()));

        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(ServingStatus.SERVING);
        holdsValidSvid.set(false);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(ServingStatus.NOT_SERVING);
    }

    @Test
    void aNamedService_isNotFound_theAgentAnswersOnlyForItself() {
        HealthGrpc.HealthBlockingStub health =
                HealthGrpc.newBlockingStub(services.start(new AgentHealthService(holdsValidSvid::get).bindService()));

        assertThatThrownBy(() -> health.check(HealthCheckRequest.newBuilder()
                        .setService("meshca.Other")
                        .build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo(AgentHealthService.UNKNOWN_SERVICE);
                });
    }
}
