package io.meshca.common.plugin;

import io.meshca.common.error.InvalidArgumentException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code plugins:} block of a config: for each kind, the chosen plugins by name, each with its own
 * block. Immutable; the process's older flat settings (e.g. {@code keyManager: memory}) map onto it with
 * {@link #withDefault}, so there is one way plugins are chosen however the operator wrote it.
 */
public final class PluginsConfig {

    public static final PluginsConfig EMPTY = new PluginsConfig(Map.of());

    private final Map<String, Map<String, PluginConfig>> byKind;

    private PluginsConfig(Map<String, Map<String, PluginConfig>> byKind) {
        this.byKind = byKind;
    }

    /**
     * Reads the YAML shape {@code kind -> name -> settings} (a null settings block is an empty one).
     *
     * @throws InvalidArgumentException if a kind's value is not a map of plugin names
     */
    public static PluginsConfig of(Map<String, ?> raw) {
        if (raw == null) {
            return EMPTY;
        }
        Map<String, Map<String, PluginConfig>> byKind = new LinkedHashMap<>();
        raw.forEach((kind, plugins) -> {
            if (plugins == null) {
                throw new InvalidArgumentException("plugins." + kind + " names no plugin");
            }
            if (!(plugins instanceof Map<?, ?> named)) {
                throw new InvalidArgumentException("plugins." + kind + " must map plugin names to their settings, e.g. "
                        + kind + ": { name: {} }");
            }
            Map<String, PluginConfig> configs = new LinkedHashMap<>();
            named.forEach((name, settings) -> configs.put(
                    name.toString(),
                    new PluginConfig("plugins." + kind + "." + name, settingsMap(kind, name, settings))));
            byKind.put(kind, Collections.unmodifiableMap(configs));
        });
        return new PluginsConfig(Collections.unmodifiableMap(byKind));
    }

    private static Map<String, ?> settingsMap(String kind, Object name, Object settings) {
        if (settings == null) {
            return Map.of();
        }
        if (!(settings instanceof Map<?, ?> map)) {
            throw new InvalidArgumentException("plugins." + kind + "." + name + " must be a block of settings");
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k.toString(), v));
        return copy;
    }

    /** The kinds named in the config, in the order written. */
    public Set<String> kinds() {
        return byKind.keySet();
    }

    /** The chosen plugins of {@code kind}, in the order written; empty if the kind is not configured. */
    public Map<String, PluginConfig> plugins(String kind) {
        return byKind.getOrDefault(kind, Map.of());
    }

    /** A copy in which {@code kind} runs {@code name} with an empty block, unless the kind is configured. */
    public PluginsConfig withDefault(String kind, String name) {
        if (byKind.containsKey(kind)) {
            return this;
        }
        return with(kind, List.of(name));
    }

    /** A copy in which {@code kind} runs exactly the named plugins, each with an empty block. */
    public PluginsConfig with(String kind, List<String> names) {
        Objects.requireNonNull(kind, "kind");
        Map<String, PluginConfig> configs = new LinkedHashMap<>();
        names.forEach(name -> configs.put(name, new PluginConfig("plugins." + kind + "." + name, Map.of())));
        Map<String, Map<String, PluginConfig>> copy = new LinkedHashMap<>(byKind);
        copy.put(kind, Collections.unmodifiableMap(configs));
        return new PluginsConfig(Collections.unmodifiableMap(copy));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PluginsConfig other && byKind.equals(other.byKind);
    }

    @Override
    public int hashCode() {
        return byKind.hashCode();
    }

    @Override
    public String toString() {
        return "plugins" + byKind;
    }
}
