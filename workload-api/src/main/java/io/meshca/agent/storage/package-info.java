/**
 * What the agent keeps on disk: its own SVID, key and trust bundle, so that a restarted agent needs no
 * new join token.
 */
package io.meshca.agent.storage;
