/**
 * The audit log: every issuance and admin action as a row of a SHA-256 hash chain, group-committed by
 * one writer (asynchronous by default, or synchronous with auditWrites: sync), verifiable with server
 * audit verify. Rows the database does not take wait in a spool file in the data dir (AuditSpool) and
 * are stored, in order, when it is back.
 */
package io.meshca.server.audit;
