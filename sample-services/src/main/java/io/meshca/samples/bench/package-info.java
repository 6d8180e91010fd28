/**
 * ./meshca bench: issuance (bench issue), Workload API (bench workload-api) and mTLS through CA, taint
 * and root rotations (bench rotation) against a real server and a real agent, printing the figures
 * docs/performance.md quotes.
 */
package io.meshca.samples.bench;
