/**
 * The orders sample workload: a client that waits until its mutual-TLS connection to payments works,
 * then calls payments with its SVID, counts what succeeded and failed, and reports each failure with
 * the side that broke.
 */
package io.meshca.samples.orders;
