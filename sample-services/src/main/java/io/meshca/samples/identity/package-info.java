/**
 * How the sample workloads get their identity: from the Workload API over java-spiffe, watched so
 * that a rotated SVID is used by the next handshake.
 */
package io.meshca.samples.identity;
