/**
 * SPIFFE trust bundles: the X.509 authorities and JWT keys of one trust domain, and their JWKS
 * document form (spiffe_sequence, spiffe_refresh_hint) as the bundle endpoint and the Workload API
 * exchange it.
 */
package io.meshca.common.bundle;
