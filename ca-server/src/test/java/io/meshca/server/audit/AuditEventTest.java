package io.meshca.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditEventTest {

    @Test
    void callerControlledFields_areCutToTheCap_sayingHowMuchWasCut() {
        String huge = "x".repeat(100_000);

        AuditEvent event = new AuditEvent(huge, "admin.MintJwtSvid", huge, huge);

        for (String field : List.of(event.actor(), event.subject(), event.detail())) {
            assertThat(field)
                    .hasSizeLessThanOrEqualTo(AuditEvent.MAX_FIELD_LENGTH)
                    .endsWith(")");
            assertThat(field).contains("...(+" + (huge.length() - field.indexOf("...(+")) + ")");
        }
    }

    @Test
    void fieldsWithinTheCap_areKeptWhole() {
        String fits = "y".repeat(AuditEvent.MAX_FIELD_LENGTH);

        assertThat(new AuditEvent("a", "b", fits, fits).detail()).isEqualTo(fits);
    }

    @Test
    void aList_isItsCountAndTheFirstFewValues_eachCut() {
        assertThat(AuditEvent.list(List.of("orders"))).isEqualTo("1[orders]");
        assertThat(AuditEvent.list(List.of("a", "b", "c", "d"))).isEqualTo("4[a,b,c,...]");

        String listed = AuditEvent.list(Collections.nCopies(32, "z".repeat(256)));
        assertThat(listed).startsWith("32[zzz").endsWith(",...]");
        assertThat(listed.length()).isLessThan(3 * AuditEvent.LISTED_VALUE_LENGTH + 20);
    }
}
