package io.meshca.common.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MeshcaVersionTest {

    @Test
    void theBuildFillsInTheProjectVersion() {
        // surefire runs on Maven-built classes, whose resource filtering replaced ${project.version}
        assertThat(MeshcaVersion.get()).matches("\\d+\\.\\d+\\.\\d+\\S*").doesNotContain("${");
        assertThat(VersionCommand.line()).isEqualTo("meshca " + MeshcaVersion.get());
    }
}
