package io.meshca.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.selector.SelectorVocabularies;
import org.junit.jupiter.api.Test;

/**
 * Every node attestor of the catalog has its selector vocabulary registered: otherwise an entry naming
 * the selectors it gives agents (a node alias) would be refused as of an unknown type.
 */
class NodeAttestorSelectorsTest {

    @Test
    void everyNodeAttestorOfTheCatalog_hasASelectorVocabulary() {
        assertThat(SelectorVocabularies.BUILT_IN.types())
                .containsAll(ServerCatalog.catalog().names(ServerCatalog.NODE_ATTESTOR));
    }
}
