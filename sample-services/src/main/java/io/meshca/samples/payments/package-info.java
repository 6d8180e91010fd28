/**
 * The payments sample workload: a gRPC server over mutual TLS that accepts only the SPIFFE IDs it is
 * told to.
 */
package io.meshca.samples.payments;
