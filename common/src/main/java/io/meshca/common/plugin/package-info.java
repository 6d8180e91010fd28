/**
 * The plugin catalog core (SPIRE's shape): a PluginKind per extension point, built-in plugins
 * registered by name, the config's plugins block, and the checks of which names exist and how many of
 * each kind run. Each process builds its own catalog on it.
 */
package io.meshca.common.plugin;
