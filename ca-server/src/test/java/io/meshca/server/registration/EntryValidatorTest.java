package io.meshca.server.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.model.RegistrationEntry;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EntryValidatorTest {

    private static final EntryValidator VALIDATOR = new EntryValidator(TrustDomain.parse("example.org"));
    private static final SpiffeId PARENT = SpiffeId.parse("spiffe://example.org/node1");
    private static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");
    private static final SelectorSet UID = SelectorSet.of(Selector.parse("unix:uid:1000"));

    @Test
    void validEntry_passes() {
        RegistrationEntry e =
                RegistrationEntry.draft(WEB, PARENT, UID).withDnsNames(List.of("web.example.org", "*.web.example.org"));
        assertThat(VALIDATOR.validate(e)).isSameAs(e);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(
                        RegistrationEntry.draft(SpiffeId.parse("spiffe://other.org/web"), PARENT, UID),
                        "spiffeId spiffe://other.org/web is not in the server's trust domain example.org"),
                Arguments.of(
                        RegistrationEntry.draft(WEB, SpiffeId.parse("spiffe://other.org/n"), UID),
                        "parentId spiffe://other.org/n is not in the server's trust domain example.org"),
                Arguments.of(RegistrationEntry.draft(WEB, PARENT, SelectorSet.empty()), EntryValidator.NO_SELECTORS),
                Arguments.of(
                        RegistrationEntry.draft(SpiffeId.parse("spiffe://example.org"), PARENT, UID),
                        "spiffeId spiffe://example.org must have a path"),
                Arguments.of(
                        RegistrationEntry.draft(WEB, PARENT, UID).withX509SvidTtl(Duration.ofSeconds(-1)),
                        "x509SvidTtl cannot be negative, got -1"),
                Arguments.of(
                        RegistrationEntry.draft(WEB, PARENT, UID).withDnsNames(List.of("bad_name!")),
                        "invalid DNS name \"bad_name!\""),
                Arguments.of(
                        RegistrationEntry.draft(WEB, PARENT, UID).withDnsNames(List.of("-lead.example.org")),
                        "invalid DNS name \"-lead.example.org\""));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidEntry_isRejectedNamingTheProblem(RegistrationEntry entry, String message) {
        assertThatThrownBy(() -> VALIDATOR.validate(entry))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(message);
    }
}
