/**
 * meshca's error kinds: one MeshcaException subclass per outcome a caller can act on (invalid
 * argument, not found, permission denied, unavailable, ...), and GrpcErrors, the one mapping of those
 * kinds to gRPC status. Messages are written for the caller; causes are logged, never sent.
 */
package io.meshca.common.error;
