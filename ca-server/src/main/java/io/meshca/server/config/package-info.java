/**
 * The server's configuration: the YAML file's shape, the flags that override its keys, and
 * ServerConfig, the typed, validated result every other package reads (durations and enums parsed
 * once here).
 */
package io.meshca.server.config;
