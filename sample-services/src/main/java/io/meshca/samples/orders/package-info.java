/**
 * The orders sample workload: a client that calls payments over mutual TLS with its SVID and counts
 * what succeeded and failed.
 */
package io.meshca.samples.orders;
