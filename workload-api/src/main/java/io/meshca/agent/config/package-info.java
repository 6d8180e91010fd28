/**
 * The agent's configuration, typed and validated once: the YAML file and the {@code agent run} flags,
 * one name per setting, merged into {@link io.meshca.agent.config.AgentConfig}.
 */
package io.meshca.agent.config;
