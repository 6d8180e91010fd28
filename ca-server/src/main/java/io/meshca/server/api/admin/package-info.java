/**
 * The admin API on the server's 0600 unix socket (entries, agents, bundles, federation, join tokens,
 * JWT-SVIDs for operators), and AdminClient, the same API in domain values for the CLI, the benches
 * and tests.
 */
package io.meshca.server.api.admin;
