package io.meshca.common.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginCatalogTest {

    interface Keys {
        String name();
    }

    interface Attestor {
        String name();
    }

    static final PluginKind<Keys> KEYS = new PluginKind<>("keyManager", Keys.class, Cardinality.EXACTLY_ONE);
    static final PluginKind<Attestor> ATTESTORS =
            new PluginKind<>("nodeAttestor", Attestor.class, Cardinality.ONE_OR_MORE);

    private final List<String> created = new ArrayList<>();

    private final PluginCatalog<String> catalog = PluginCatalog.<String>builder()
            .register(KEYS, "disk", (config, context) -> {
                config.allowOnly("directory");
                created.add("disk");
                return () -> "disk:" + config.path("directory").orElseThrow() + ":" + context;
            })
            .register(KEYS, "memory", (config, context) -> {
                config.allowOnly();
                created.add("memory");
                return () -> "memory";
            })
            .register(ATTESTORS, "join_token", (config, context) -> () -> "join_token")
            .register(ATTESTORS, "x509pop", (config, context) -> () -> "x509pop")
            .build();

    @Test
    void loadsTheChosenPlugins_withTheirBlocks_inTheOrderWritten() {
        PluginsConfig config = PluginsConfig.of(Map.of(
                "keyManager", Map.of("disk", Map.of("directory", "/var/keys")),
                "nodeAttestor", mapOf("x509pop", null, "join_token", Map.of())));

        assertThat(catalog.loadOne(KEYS, config, "ctx").name()).isEqualTo("disk:/var/keys:ctx");
        assertThat(catalog.load(ATTESTORS, config, "ctx"))
                .extracting(Attestor::name)
                .containsExactly("x509pop", "join_token");
    }

    @Test
    void anUnknownKind_isRefusedNamingTheKnownKinds() {
        PluginsConfig config = PluginsConfig.of(Map.of("keyManagr", Map.of("disk", Map.of())));

        assertThatThrownBy(() -> catalog.check(config))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("plugins: unknown plugin kind \"keyManagr\" (known kinds: keyManager, nodeAttestor)");
    }

    @Test
    void anUnknownName_isRefusedNamingTheKindAndTheKnownNames() {
        PluginsConfig config = PluginsConfig.of(
                Map.of("keyManager", Map.of("hsm", Map.of()), "nodeAttestor", Map.of("join_token", Map.of())));

        assertThatThrownBy(() -> catalog.load(KEYS, config, "ctx"))
                .hasMessage("plugins.keyManager: unknown plugin \"hsm\" (known keyManager plugins: disk, memory)");
        assertThat(created).isEmpty();
    }

    @Test
    void exactlyOne_refusesTwo_beforeCreatingAnything() {
        PluginsConfig config = PluginsConfig.of(Map.of(
                "keyManager", mapOf("disk", Map.of("directory", "/k"), "memory", null),
                "nodeAttestor", Map.of("join_token", Map.of())));

        assertThatThrownBy(() -> catalog.load(KEYS, config, "ctx"))
                .hasMessage("plugins.keyManager: exactly one plugin required, 2 configured (disk, memory)"
                        + " (known keyManager plugins: disk, memory)");
        assertThat(created).isEmpty();
    }

    @Test
    void oneOrMore_refusesNone_evenWhenLoadingAnotherKind() {
        PluginsConfig config = PluginsConfig.of(Map.of("keyManager", Map.of("memory", Map.of())));

        assertThatThrownBy(() -> catalog.load(KEYS, config, "ctx"))
                .hasMessage("plugins.nodeAttestor: one or more plugin required, 0 configured"
                        + " (known nodeAttestor plugins: join_token, x509pop)");
    }

    @Test
    void withDefault_fillsOnlyAnAbsentKind() {
        PluginsConfig config = PluginsConfig.of(Map.of("keyManager", Map.of("memory", Map.of())))
                .withDefault("keyManager", "disk")
                .withDefault("nodeAttestor", "join_token");

        assertThat(config.plugins("keyManager")).containsOnlyKeys("memory");
        assertThat(config.plugins("nodeAttestor")).containsOnlyKeys("join_token");
        assertThat(catalog.loadOne(KEYS, config, "ctx").name()).isEqualTo("memory");
    }

    @Test
    void aPluginRefusesAnUnknownKeyOfItsBlock_namingIt() {
        PluginsConfig config = PluginsConfig.of(Map.of(
                "keyManager", Map.of("disk", Map.of("dir", "/k")), "nodeAttestor", Map.of("join_token", Map.of())));

        assertThatThrownBy(() -> catalog.loadOne(KEYS, config, "ctx"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("unknown config key \"plugins.keyManager.disk.dir\" (known keys here: directory)");
    }

    @Test
    void aKindThatIsNotAMapOfNames_isRefused() {
        assertThatThrownBy(() -> PluginsConfig.of(Map.of("keyManager", "disk")))
                .hasMessageContaining("plugins.keyManager must map plugin names to their settings");
        assertThatThrownBy(() -> PluginsConfig.of(Map.of("keyManager", Map.of("disk", "x"))))
                .hasMessage("plugins.keyManager.disk must be a block of settings");
    }

    @Test
    void pluginConfig_parsesDurationsInTheOneGrammar_namingTheKey() {
        PluginConfig config = new PluginConfig("plugins.nodeAttestor.k8s_psat", Map.of("refresh", "5m", "bad", "5y"));

        assertThat(config.duration("refresh", Duration.ZERO)).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.duration("unset", Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
        assertThatThrownBy(() -> config.duration("bad", Duration.ZERO))
                .hasMessageStartingWith("plugins.nodeAttestor.k8s_psat.bad: invalid duration '5y'");
    }

    @Test
    void pluginConfig_readsListsOfSingleValues_namingTheKey() {
        PluginConfig config = new PluginConfig(
                "plugins.nodeAttestor.k8s_psat",
                Map.of("allow", List.of("a:b", "c:d"), "one", "a:b", "nested", List.of(List.of("a"))));

        assertThat(config.strings("allow")).containsExactly("a:b", "c:d");
        assertThat(config.strings("unset")).isEmpty();
        assertThatThrownBy(() -> config.strings("one"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("plugins.nodeAttestor.k8s_psat.one must be a list");
        assertThatThrownBy(() -> config.strings("nested"))
                .hasMessage("plugins.nodeAttestor.k8s_psat.nested must be a list of single values");
    }

    @Test
    void pluginConfig_readsYesNoValues_namingTheKey() {
        PluginConfig config =
                new PluginConfig("plugins.nodeAttestor.aws_iid", Map.of("yes", true, "no", "false", "bad", "maybe"));

        assertThat(config.bool("yes", false)).isTrue();
        assertThat(config.bool("no", true)).isFalse();
        assertThat(config.bool("unset", true)).isTrue();
        assertThatThrownBy(() -> config.bool("bad", false))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("plugins.nodeAttestor.aws_iid.bad must be true or false, got \"maybe\"");
    }

    @Test
    void pluginConfig_readsNamedBlocks_eachNamingItsOwnPath() {
        Map<String, Object> tenants = new LinkedHashMap<>();
        tenants.put("t1", Map.of("resource", "r1"));
        tenants.put("t2", null);
        PluginConfig config = new PluginConfig(
                "plugins.nodeAttestor.azure_msi",
                Map.of("tenants", tenants, "flat", List.of("x"), "bad", Map.of("t", 1)));

        Map<String, PluginConfig> blocks = config.blocks("tenants");

        assertThat(blocks).containsOnlyKeys("t1", "t2");
        assertThat(blocks.get("t1").string("resource")).hasValue("r1");
        assertThat(blocks.get("t2").isEmpty()).isTrue();
        assertThatThrownBy(() -> blocks.get("t1").allowOnly())
                .hasMessageStartingWith("unknown config key \"plugins.nodeAttestor.azure_msi.tenants.t1.resource\"");
        assertThat(config.blocks("unset")).isEmpty();
        assertThatThrownBy(() -> config.blocks("flat"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("plugins.nodeAttestor.azure_msi.flat must be a map of names to blocks");
        assertThatThrownBy(() -> config.blocks("bad"))
                .hasMessage("plugins.nodeAttestor.azure_msi.bad.t must be a block of settings");
    }

    @Test
    void registeringANameTwice_isAProgrammingError() {
        assertThatThrownBy(() -> PluginCatalog.<String>builder()
                        .register(KEYS, "disk", (c, x) -> () -> "a")
                        .register(KEYS, "disk", (c, x) -> () -> "b"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, Object> mapOf(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }
}
