/**
 * ./meshca bench: issuance (bench issue), Workload API (bench workload-api) and taint recovery (bench
 * taint) benchmarks against a real server and real agents, printing the figures docs/performance.md
 * quotes.
 */
package io.meshca.samples.bench;
