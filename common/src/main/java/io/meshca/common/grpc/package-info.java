/**
 * gRPC plumbing both processes share: channels over unix domain sockets and a channel that owns (and
 * shuts down) what it was built on. No meshca protocol logic lives here.
 */
package io.meshca.common.grpc;
