package io.meshca.server.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.meshca.server.testing.InProcessGrpc;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServerHealthTest {

    private final ServerHealth health = new ServerHealth();
    private InProcessGrpc grpc;

    @BeforeEach
    void start() throws Exception {
        grpc = InProcessGrpc.start(health.service());
    }

    @AfterEach
    void stop() {
        grpc.close();
    }

    private ServingStatus status(String service) {
        return HealthGrpc.newBlockingStub(grpc.channel())
                .check(HealthCheckRequest.newBuilder().setService(service).build())
                .getStatus();
    }

    static Stream<Arguments> parts() {
        return Stream.of(
                Arguments.of(true, true, ServingStatus.SERVING),
                Arguments.of(false, true, ServingStatus.NOT_SERVING),
                Arguments.of(true, false, ServingStatus.NOT_SERVING),
                Arguments.of(false, false, ServingStatus.NOT_SERVING));
    }

    @ParameterizedTest(name = "CA valid {0}, datastore available {1}: {2}")
    @MethodSource("parts")
    void theServerServes_onlyWhileEveryPartDoes_andEachPartReportsItself(
            boolean caValid, boolean datastoreAvailable, ServingStatus server) {
        health.caValid(caValid);
        health.datastoreAvailable(datastoreAvailable);

        assertThat(status(ServerHealth.SERVER)).isEqualTo(server);
        assertThat(status(ServerHealth.CA)).isEqualTo(caValid ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
        assertThat(status(ServerHealth.DATASTORE))
                .isEqualTo(datastoreAvailable ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    }

    @Test
    void aDatastoreBack_doesNotHideAnExpiredCa() {
        health.caValid(false);
        health.datastoreAvailable(false);
        health.datastoreAvailable(true);

        assertThat(status(ServerHealth.SERVER)).isEqualTo(ServingStatus.NOT_SERVING);
    }

    @Test
    void aStoppedServer_staysNotServing_whileItsPartsKeepTheirStatus() {
        health.stop();
        health.caValid(true);
        health.datastoreAvailable(true);

        assertThat(status(ServerHealth.SERVER)).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(status(ServerHealth.CA)).isEqualTo(ServingStatus.SERVING);
        assertThat(status(ServerHealth.DATASTORE)).isEqualTo(ServingStatus.SERVING);
    }
}
