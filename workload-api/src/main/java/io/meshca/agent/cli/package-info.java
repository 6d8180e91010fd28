/**
 * The {@code agent} command line: {@code run}, {@code healthcheck} and the {@code api} client commands
 * that talk to a running agent's Workload API.
 */
package io.meshca.agent.cli;
