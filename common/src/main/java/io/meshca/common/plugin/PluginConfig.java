package io.meshca.common.plugin;

import io.meshca.common.config.Durations;
import io.meshca.common.error.InvalidArgumentException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The config block of one plugin ({@code plugins.keyManager.disk: {...}}). Typed getters parse each
 * value once and name the plugin and the key in every error, so a plugin needs no parsing of its own.
 */
public final class PluginConfig {

    private final String path;
    private final Map<String, Object> settings;

    /**
     * @param path where the block is, for messages: {@code plugins.keyManager.disk}
     * @param settings the block's keys and values (null: an empty block)
     */
    public PluginConfig(String path, Map<String, ?> settings) {
        this.path = Objects.requireNonNull(path, "path");
        this.settings = settings == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(settings));
    }

    /** {@code plugins.keyManager.disk}: where this block sits in the config. */
    public String path() {
        return path;
    }

    /**
     * Refuses a key this plugin does not know.
     *
     * @throws InvalidArgumentException naming the unknown key and the known ones
     */
    public PluginConfig allowOnly(String... keys) {
        Set<String> known = Set.of(keys);
        for (String key : new TreeSet<>(settings.keySet())) {
            if (!known.contains(key)) {
                throw new InvalidArgumentException("unknown config key \"" + path + "." + key + "\" (known keys here: "
                        + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known))) + ")");
            }
        }
        return this;
    }

    /** A text value, if set. */
    public Optional<String> string(String key) {
        Object value = settings.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Map || value instanceof Iterable) {
            throw new InvalidArgumentException(path + "." + key + " must be a single value");
        }
        return Optional.of(value.toString());
    }

    /** A list of text values; empty if unset. */
    public List<String> strings(String key) {
        Object value = settings.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new InvalidArgumentException(path + "." + key + " must be a list");
        }
        List<String> values = new ArrayList<>();
        for (Object item : list) {
            if (item == null || item instanceof Map || item instanceof Iterable) {
                throw new InvalidArgumentException(path + "." + key + " must be a list of single values");
            }
            values.add(item.toString());
        }
        return List.copyOf(values);
    }

    /** A path, if set; relative paths are taken as written (the process's working directory). */
    public Optional<Path> path(String key) {
        return string(key).map(Path::of);
    }

    /** A duration in meshca's one grammar ({@link Durations}), or {@code fallback} if unset. */
    public Duration duration(String key, Duration fallback) {
        return string(key).map(text -> Durations.parse(path + "." + key, text)).orElse(fallback);
    }

    /** A yes/no value ({@code true} or {@code false}), or {@code fallback} if unset. */
    public boolean bool(String key, boolean fallback) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return fallback;
        }
        return switch (value.get()) {
            case "true" -> true;
            case "false" -> false;
            default ->
                throw new InvalidArgumentException(
                        path + "." + key + " must be true or false, got \"" + value.get() + "\"");
        };
    }

    /**
     * A map of named blocks ({@code tenants: { <id>: { ... } }}), each a block of its own whose messages
     * name it as {@code <path>.<key>.<name>}; empty if unset. A name with no value is an empty block.
     */
    public Map<String, PluginConfig> blocks(String key) {
        Object value = settings.get(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new InvalidArgumentException(path + "." + key + " must be a map of names to blocks");
        }
        Map<String, PluginConfig> blocks = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = String.valueOf(e.getKey());
            String where = path + "." + key + "." + name;
            if (e.getValue() != null && !(e.getValue() instanceof Map<?, ?>)) {
                throw new InvalidArgumentException(where + " must be a block of settings");
            }
            Map<String, Object> settings = new LinkedHashMap<>();
            if (e.getValue() instanceof Map<?, ?> inner) {
                // a key with no value is as good as absent (and Map.copyOf takes no nulls)
                inner.forEach((k, v) -> {
                    if (v != null) {
                        settings.put(String.valueOf(k), v);
                    }
                });
            }
            blocks.put(name, new PluginConfig(where, settings));
        }
        return Collections.unmodifiableMap(blocks);
    }

    /** True if the block has no keys at all. */
    public boolean isEmpty() {
        return settings.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PluginConfig other && path.equals(other.path) && settings.equals(other.settings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, settings);
    }

    @Override
    public String toString() {
        return path + settings.keySet();
    }
}
