/**
 * How a server learns what changed in the shared database, its own writes and other replicas' alike:
 * one change feed per server tails the change log by revision (woken by the server's own commits and by
 * PostgreSQL notifications, with a slow safety poll), applies each batch to the in-memory entries,
 * agents, bundle and federation, and then wakes the agents' watches, which read the recent changes
 * from memory.
 */
package io.meshca.server.changes;
