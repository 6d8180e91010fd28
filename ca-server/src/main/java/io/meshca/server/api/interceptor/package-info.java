/**
 * Cross-cutting concerns of the gRPC services, as interceptors: who the caller is (an agent SVID from
 * the TLS session) and the audit row of every mutating admin call.
 */
package io.meshca.server.api.interceptor;
