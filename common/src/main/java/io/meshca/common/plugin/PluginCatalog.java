package io.meshca.common.plugin;

import io.meshca.common.error.InvalidArgumentException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The built-in plugins of one process, by kind and name (SPIRE's catalog): the one place that turns
 * the config's {@code plugins:} block into implementations. {@link #check} validates the whole block
 * (known kinds, known names, how many of each) before anything is created, so a bad config changes
 * nothing; {@link #load} then creates the plugins of one kind.
 *
 * @param <C> what the process offers every plugin (trust domain, data dir, clock, ...)
 */
public final class PluginCatalog<C> {

    private final Map<String, Entry<?, C>> kinds;

    private PluginCatalog(Map<String, Entry<?, C>> kinds) {
        this.kinds = kinds;
    }

    public static <C> Builder<C> builder() {
        return new Builder<>();
    }

    /** The kinds this catalog knows. */
    public Set<String> kinds() {
        return kinds.keySet();
    }

    /** The names of the built-in plugins of {@code kind}, sorted. */
    public Set<String> names(PluginKind<?> kind) {
        return Collections.unmodifiableSet(new TreeSet<>(entry(kind).factories.keySet()));
    }

    /**
     * Checks every kind in {@code config} against the catalog: each kind known, each plugin name known,
     * and each kind's count allowed by its {@link Cardinality} (kinds absent from the config count zero).
     *
     * @throws InvalidArgumentException naming the kind, the offending names and the known ones
     */
    public void check(PluginsConfig config) {
        for (String kind : config.kinds()) {
            if (!kinds.containsKey(kind)) {
                throw new InvalidArgumentException("plugins: unknown plugin kind \"" + kind + "\" (known kinds: "
                        + String.join(", ", new TreeSet<>(kinds.keySet())) + ")");
            }
        }
        for (Entry<?, C> entry : kinds.values()) {
            Set<String> chosen = config.plugins(entry.kind.name()).keySet();
            for (String name : chosen) {
                if (!entry.factories.containsKey(name)) {
                    throw new InvalidArgumentException("plugins." + entry.kind + ": unknown plugin \"" + name
                            + "\" (known " + entry.kind + " plugins: " + known(entry) + ")");
                }
            }
            if (!entry.kind.cardinality().allows(chosen.size())) {
                throw new InvalidArgumentException("plugins." + entry.kind + ": " + entry.kind.cardinality()
                        + " plugin required, " + chosen.size() + " configured"
                        + (chosen.isEmpty() ? "" : " (" + String.join(", ", chosen) + ")")
                        + " (known " + entry.kind + " plugins: " + known(entry) + ")");
            }
        }
    }

    /**
     * Creates the plugins of {@code kind} that {@code config} chooses, in the order written, after
     * {@link #check}ing the whole config.
     *
     * @throws InvalidArgumentException as {@link #check}, or from a plugin refusing its block
     */
    public <T> List<T> load(PluginKind<T> kind, PluginsConfig config, C context) {
        check(config);
        Entry<T, C> entry = entry(kind);
        List<T> plugins = new ArrayList<>();
        config.plugins(kind.name())
                .forEach((name, block) -> plugins.add(entry.factories.get(name).create(block, context)));
        return List.copyOf(plugins);
    }

    /** {@link #load} for a kind of cardinality {@link Cardinality#EXACTLY_ONE}. */
    public <T> T loadOne(PluginKind<T> kind, PluginsConfig config, C context) {
        if (kind.cardinality() != Cardinality.EXACTLY_ONE) {
            throw new IllegalArgumentException(kind + " may have several plugins: use load");
        }
        return load(kind, config, context).get(0);
    }

    private String known(Entry<?, C> entry) {
        return String.join(", ", new TreeSet<>(entry.factories.keySet()));
    }

    @SuppressWarnings("unchecked")
    private <T> Entry<T, C> entry(PluginKind<T> kind) {
        Entry<?, C> entry = kinds.get(kind.name());
        if (entry == null || !entry.kind.equals(kind)) {
            throw new IllegalArgumentException("kind not in this catalog: " + kind);
        }
        return (Entry<T, C>) entry;
    }

    private static final class Entry<T, C> {
        final PluginKind<T> kind;
        final Map<String, PluginFactory<? extends T, C>> factories = new LinkedHashMap<>();

        Entry(PluginKind<T> kind) {
            this.kind = kind;
        }
    }

    /** Registers the built-ins, each kind with the names of its plugins. */
    public static final class Builder<C> {
        private final Map<String, Entry<?, C>> kinds = new LinkedHashMap<>();

        private Builder() {}

        @SuppressWarnings("unchecked")
        public <T> Builder<C> register(PluginKind<T> kind, String name, PluginFactory<? extends T, C> factory) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(factory, "factory");
            Entry<T, C> entry = (Entry<T, C>) kinds.computeIfAbsent(kind.name(), k -> new Entry<>(kind));
            if (!entry.kind.equals(kind)) {
                throw new IllegalArgumentException("two kinds named " + kind);
            }
            if (entry.factories.putIfAbsent(name, factory) != null) {
                throw new IllegalArgumentException(kind + " plugin registered twice: " + name);
            }
            return this;
        }

        public PluginCatalog<C> build() {
            return new PluginCatalog<>(Collections.unmodifiableMap(new LinkedHashMap<>(kinds)));
        }
    }
}
