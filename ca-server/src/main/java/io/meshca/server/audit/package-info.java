/**
 * The audit log: every issuance and admin action as a row of a SHA-256 hash chain, group-committed by
 * one writer (asynchronous by default, or synchronous with auditWrites: sync), verifiable with server
 * audit verify.
 */
package io.meshca.server.audit;
