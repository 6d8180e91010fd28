/**
 * ./meshca bench: issuance (bench issue), Workload API (bench workload-api), mTLS through CA, taint
 * and root rotations (bench rotation), and taint recovery at scale (bench taint) against a real server
 * and real agents, printing the figures docs/performance.md quotes.
 */
package io.meshca.samples.bench;
