/**
 * JWT-SVIDs on the agent: the cache of tokens fetched from the server per entry and audience, and
 * their validation against the trust bundles for ValidateJWTSVID.
 */
package io.meshca.agent.jwt;
