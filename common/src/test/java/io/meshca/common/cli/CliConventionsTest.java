package io.meshca.common.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CliConventionsTest {

    @Test
    void shortExample_isOneIndentedLine() {
        assertThat(CliConventions.shellLines("meshca server entry show -output json"))
                .containsExactly("  meshca server entry show -output json");
    }

    @Test
    void longExample_breaksBeforeFlags_withBackslashes() {
        var lines = CliConventions.shellLines("meshca server entry create -parentID spiffe://example.org/host/node-1"
                + " -spiffeID spiffe://example.org/web -selector unix:uid:1000");
        assertThat(lines)
                .containsExactly(
                        "  meshca server entry create -parentID spiffe://example.org/host/node-1 \\",
                        "      -spiffeID spiffe://example.org/web -selector unix:uid:1000");
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(CliConventions.EXAMPLE_WIDTH));
    }
}
