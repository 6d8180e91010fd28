/**
 * Test fixtures of the agent, shared by its tests and other modules' through the test-jar: a real agent
 * seen from outside ({@link io.meshca.agent.testing.RunningAgent}), in-process Workload API and SDS
 * services with a fixed caller, a fake identity source, a fake ca-server
 * ({@link io.meshca.agent.testing.FakeServer}), and polling for end-to-end tests.
 */
package io.meshca.agent.testing;
