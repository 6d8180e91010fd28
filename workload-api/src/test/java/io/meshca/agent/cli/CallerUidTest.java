package io.meshca.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.security.auth.module.UnixSystem;
import org.junit.jupiter.api.Test;

class CallerUidTest {

    @Test
    void isTheProcessUid() {
        // a second, independent source of the same fact: the JDK's own view of the Unix user
        assertThat(CallerUid.current()).hasValue((int) new UnixSystem().getUid());
        assertThat(CallerUid.entryShowHint())
                .endsWith("meshca server entry show -selector unix:uid:" + new UnixSystem().getUid());
    }
}
