/**
 * The node agent's composition root, {@link io.meshca.agent.NodeAgent}: the one place that chooses the
 * implementations and wires the packages below together. Nothing below imports it.
 */
package io.meshca.agent;
