package io.meshca.agent.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.meshca.common.pki.Csrs;
import io.meshca.common.pki.Keys;
import io.meshca.proto.server.v1.BatchSignX509SvidsRequest;
import io.meshca.proto.server.v1.SvidSigningRequest;
import io.meshca.server.CaServer;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The agent API's request limit is sized from the largest request an agent sends: a full CSR batch. */
class CsrBatchSizeTest {

    @Test
    void aFullCsrBatch_fitsTheAgentApiLimitTenTimesOver() {
        BatchSignX509SvidsRequest.Builder batch = BatchSignX509SvidsRequest.newBuilder();
        for (int i = 0; i < SvidRotator.DEFAULT_BATCH_SIZE; i++) {
            batch.addRequests(SvidSigningRequest.newBuilder()
                    .setEntryId(UUID.randomUUID().toString())
                    .setCsr(ByteString.copyFrom(Csrs.create(Keys.generateEcP256()))));
        }

        int bytes = batch.build().getSerializedSize();

        // Measured: 23,301 bytes (P-256 CSRs with an empty subject, UUID entry IDs).
        assertThat(bytes * 10)
                .as("a batch of %d CSRs: %d bytes", SvidRotator.DEFAULT_BATCH_SIZE, bytes)
                .isLessThan(CaServer.AGENT_API_MAX_REQUEST_BYTES);
    }
}
