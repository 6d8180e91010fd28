package io.meshca.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.samples.status.FailureSide;
import io.meshca.samples.status.StatusLine;
import org.junit.jupiter.api.Test;

class AnnouncementsTest {

    @Test
    void aFailedRequest_isOneLineWithSideStatusExceptionAndDescription() {
        StatusLine.RequestFailed failed = new StatusLine.RequestFailed(
                "order-1",
                FailureSide.DEADLINE,
                "DEADLINE_EXCEEDED",
                "io.grpc.StatusRuntimeException",
                StatusLine.NONE,
                "CallOptions deadline exceeded after 9.99s");

        assertThat(Announcements.of(DemoRunner.ORDERS, failed))
                .contains("request order-1 failed: side=deadline status=DEADLINE_EXCEEDED"
                        + " exception=io.grpc.StatusRuntimeException cause=- description=CallOptions deadline exceeded"
                        + " after 9.99s");
    }

    @Test
    void aRefusedCertificate_namesTheServiceThatRefusedIt() {
        assertThat(Announcements.of(
                        DemoRunner.PAYMENTS, new StatusLine.Refused("spiffe://example.org/intruder: not allowed")))
                .contains("payments refused a peer certificate: spiffe://example.org/intruder: not allowed");
    }

    @Test
    void countersAndSvids_waitForTheProgressLine() {
        assertThat(Announcements.of(DemoRunner.ORDERS, new StatusLine.Stats(10, 1)))
                .isEmpty();
        assertThat(Announcements.of(DemoRunner.ORDERS, new StatusLine.Ready(1200)))
                .isEmpty();
    }
}
