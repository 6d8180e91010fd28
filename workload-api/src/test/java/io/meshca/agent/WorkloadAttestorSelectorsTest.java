package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.selector.SelectorVocabularies;
import org.junit.jupiter.api.Test;

/**
 * Every workload attestor of the agent's catalog has its selector vocabulary registered, so the server
 * accepts entries naming its selectors.
 */
class WorkloadAttestorSelectorsTest {

    @Test
    void everyWorkloadAttestorOfTheCatalog_hasASelectorVocabulary() {
        assertThat(SelectorVocabularies.BUILT_IN.types())
                .containsAll(AgentPlugins.CATALOG.names(AgentPlugins.WORKLOAD_ATTESTOR));
    }
}
