/**
 * The agent's unix domain socket: an epoll gRPC server that reads each connection's kernel peer
 * credentials once and carries them into the calls.
 */
package io.meshca.agent.endpoint;
