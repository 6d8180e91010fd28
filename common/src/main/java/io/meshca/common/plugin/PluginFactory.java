package io.meshca.common.plugin;

/**
 * Creates a built-in plugin from its config block.
 *
 * @param <T> the plugin kind's interface
 * @param <C> what the process offers every plugin (trust domain, data dir, clock, ...)
 */
@FunctionalInterface
public interface PluginFactory<T, C> {

    /**
     * Creates the plugin; validates its block first ({@link PluginConfig#allowOnly} and the typed
     * getters).
     *
     * @throws io.meshca.common.error.InvalidArgumentException naming the plugin, the key and the problem
     */
    T create(PluginConfig config, C context);
}
