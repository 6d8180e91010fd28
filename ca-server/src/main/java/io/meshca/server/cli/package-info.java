/**
 * meshca server <command>: server run, and the admin commands that talk to a running server over its
 * unix socket. Flags are SPIRE's (single dash, camelCase); a failure prints one line naming the
 * problem.
 */
package io.meshca.server.cli;
