package io.meshca.server.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.selector.UnixSelectors;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.model.RegistrationEntry;
import java.time.Duration;
import java.time.Instant;
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
                Arguments.of(withTtlsAndExpiry(Duration.ofSeconds(-5), null), "jwtSvidTtl cannot be negative, got -5"),
                Arguments.of(
                        RegistrationEntry.draft(WEB, WEB, UID),
                        EntryValidator.OWN_PARENT + " (spiffe://example.org/web)"),
                Arguments.of(
                        withTtlsAndExpiry(Duration.ZERO, Instant.ofEpochSecond(-1)),
                        EntryValidator.NEGATIVE_EXPIRY + ", got -1"),
                Arguments.of(
                        RegistrationEntry.draft(WEB, PARENT, selectors("unix:uid:1000", "uid:0")),
                        "invalid selector \"uid:0\": unknown selector type \"uid\"; known types are aws_iid, azure_msi, join_token, k8s, k8s_psat, unix, x509pop"),
                Arguments.of(
                        RegistrationEntry.draft(WEB, PARENT, selectors("unix:uid:abc")),
                        "invalid selector \"unix:uid:abc\": uid " + UnixSelectors.BAD_ID),
                Arguments.of(
                        RegistrationEntry.draft(WEB, PARENT, selectors("unix:uid:-1")),
                        "invalid selector \"unix:uid:-1\": uid " + UnixSelectors.BAD_ID),
                Arguments.of(
                        RegistrationEntry.draft(WEB, PARENT, selectors("unix:foo:1")),
                        "invalid selector \"unix:foo:1\": unknown unix key \"foo\"; known keys are gid, group,"
                                + " java-jar, java-main, path, sha256, supplementary_gid, supplementary_group, uid,"
                                + " user"),
                Arguments.of(
                        RegistrationEntry.draft(WEB, PARENT, selectors("unix:sha256:abc")),
                        "invalid selector \"unix:sha256:abc\": sha256 " + UnixSelectors.BAD_SHA256),
                Arguments.of(
                        RegistrationEntry.draft(WEB, PARENT, selectors("unix:path:java")),
                        "invalid selector \"unix:path:java\": path " + UnixSelectors.BAD_PATH),
                Arguments.of(
                        RegistrationEntry.draft(WEB, PARENT, UID).withDnsNames(List.of("bad_name!")),
                        "invalid DNS name \"bad_name!\""),
                Arguments.of(
                        RegistrationEntry.draft(WEB, PARENT, UID).withDnsNames(List.of("-lead.example.org")),
                        "invalid DNS name \"-lead.example.org\""));
    }

    private static RegistrationEntry withTtlsAndExpiry(Duration jwtSvidTtl, Instant expiresAt) {
        return new RegistrationEntry(
                "",
                WEB,
                PARENT,
                UID,
                Duration.ZERO,
                jwtSvidTtl,
                List.of(),
                List.of(),
                "",
                false,
                false,
                expiresAt,
                0,
                Instant.EPOCH);
    }

    private static SelectorSet selectors(String... selectors) {
        return SelectorSet.of(Stream.of(selectors).map(Selector::parse).toList());
    }

    @Test
    void nodeAliasSelectingAJoinToken_passes() {
        RegistrationEntry alias = RegistrationEntry.draft(
                WEB, SpiffeId.parse("spiffe://example.org/meshca/server"), selectors("join_token:" + "ab".repeat(12)));
        assertThat(VALIDATOR.validate(alias)).isSameAs(alias);
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidEntry_isRejectedNamingTheProblem(RegistrationEntry entry, String message) {
        assertThatThrownBy(() -> VALIDATOR.validate(entry))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(message);
    }
}
