/**
 * How the agent waits before trying the server again: exponential backoff with jitter, shared by the
 * watch of authorized entries and the rotators.
 */
package io.meshca.agent.retry;
