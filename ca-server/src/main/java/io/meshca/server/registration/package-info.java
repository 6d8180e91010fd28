/**
 * Registration entries: validation and admin operations (Registrar), which entries an agent may serve
 * (AgentAuthorizer: parented by the agent or by a node alias it matches), and what an agent's watch
 * sends (AuthorizedEntriesSync: a snapshot, then deltas from the change log).
 */
package io.meshca.server.registration;
