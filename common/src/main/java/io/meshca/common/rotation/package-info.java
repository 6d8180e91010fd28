/**
 * The one renewal rule: an SVID, certificate or key is renewed at half of its remaining lifetime,
 * moved by up to 10% jitter. Pure functions; rotators elsewhere only schedule.
 */
package io.meshca.common.rotation;
