/**
 * The one-line status the samples print and the demo reads back: SVIDs (with the CA that signed them),
 * counters, readiness, and each failed request or refused certificate as it happens.
 */
package io.meshca.samples.status;
