/**
 * JWT-SVIDs: the trust domain's JWT signing keys in two slots (current and next) with their rotation,
 * and the minting and issuing of tokens to the SPIFFE JWT-SVID standard.
 */
package io.meshca.server.ca.jwt;
