/**
 * SPIFFE mutual TLS for the samples: SSL contexts from the Workload API, a peer policy by SPIFFE ID,
 * and the trust manager and interceptor that report why a peer was refused.
 */
package io.meshca.samples.tls;
