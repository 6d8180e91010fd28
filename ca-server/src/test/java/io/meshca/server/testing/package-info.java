/**
 * Test fixtures of ca-server, shared with the other modules through its test-jar: a real server
 * driven through its admin API ({@link io.meshca.server.testing.TestServer}) and called as an agent
 * ({@link io.meshca.server.testing.AgentApiClient}), the server's core and its services in process
 * ({@link io.meshca.server.testing.ServerCore}, {@link io.meshca.server.testing.InProcessAgentApi},
 * {@link io.meshca.server.testing.InProcessGrpc}), and test data (CSRs, serving files, a failing
 * audit store, node certificates of an operator's PKI for x509pop).
 */
package io.meshca.server.testing;
