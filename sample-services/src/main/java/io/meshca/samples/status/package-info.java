/**
 * The one-line status the demo and the samples print every few seconds.
 */
package io.meshca.samples.status;
