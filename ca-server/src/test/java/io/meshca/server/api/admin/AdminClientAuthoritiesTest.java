package io.meshca.server.api.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.server.model.AuthorityStatus;
import io.meshca.server.model.LocalX509Authority;
import io.meshca.server.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local and upstream authority verbs of {@link AdminClient} against a real server's admin socket. */
class AdminClientAuthoritiesTest {

    @TempDir
    Path dir;

    @Test
    void prepareActivateTaintRevoke_walkACaThroughItsSlots() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            AdminClient admin = server.admin();
            LocalX509Authority first = admin.x509Authorities().get(0);
            assertThat(first.status()).isEqualTo(AuthorityStatus.ACTIVE);
            assertThat(first.upstreamAuthorityId()).isEmpty();
            assertThat(server.trustBundle()).contains(first.certificate());

            LocalX509Authority prepared = admin.prepareX509Authority();
            assertThat(prepared.status()).isEqualTo(AuthorityStatus.PREPARED);
            assertThat(admin.activateX509Authority(prepared.authorityId()).status())
                    .isEqualTo(AuthorityStatus.ACTIVE);
            assertThat(admin.x509Authorities())
                    .extracting(LocalX509Authority::authorityId, LocalX509Authority::status)
                    .containsExactly(
                            tuple(prepared.authorityId(), AuthorityStatus.ACTIVE),
                            tuple(first.authorityId(), AuthorityStatus.OLD));

            assertThat(admin.taintX509Authority(first.authorityId()).tainted()).isTrue();
            admin.revokeX509Authority(first.authorityId());
            assertThat(admin.x509Authorities())
                    .extracting(LocalX509Authority::authorityId)
                    .containsExactly(prepared.authorityId());
            assertThat(server.trustBundle()).doesNotContain(first.certificate());
        }
    }

    @Test
    void refusals_surfaceAsTheServersStatus() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            AdminClient admin = server.admin();
            String active = admin.x509Authorities().get(0).authorityId();

            assertThatThrownBy(() -> admin.taintX509Authority(active))
                    .isInstanceOf(StatusRuntimeException.class)
                    .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                    .isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThatThrownBy(() -> admin.taintUpstreamAuthority("00ff"))
                    .isInstanceOf(StatusRuntimeException.class)
                    .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                    .isEqualTo(Status.Code.NOT_FOUND);
        }
    }
}
