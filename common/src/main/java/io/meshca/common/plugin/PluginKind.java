package io.meshca.common.plugin;

import java.util.Objects;

/**
 * One extension point of a process, in SPIRE's sense: the interface its plugins implement, the key of
 * its block under {@code plugins:} in the config, and how many of them must run.
 *
 * @param name the config key, e.g. {@code keyManager}
 * @param type the interface every plugin of this kind implements
 * @param cardinality how many plugins of this kind a process runs
 */
public record PluginKind<T>(String name, Class<T> type, Cardinality cardinality) {

    public PluginKind {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(cardinality, "cardinality");
    }

    @Override
    public String toString() {
        return name;
    }
}
