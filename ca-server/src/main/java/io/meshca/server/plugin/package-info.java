/**
 * The server's plugin catalog: the plugin kinds ({@code keyManager}, {@code nodeAttestor},
 * {@code upstreamAuthority}), their built-in implementations by name, and what each plugin is given at
 * creation. The composition root loads its plugins here instead of choosing implementations itself.
 */
package io.meshca.server.plugin;
