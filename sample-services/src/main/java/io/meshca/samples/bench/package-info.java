/**
 * ./meshca bench: issuance (bench issue) and Workload API (bench workload-api) benchmarks against a
 * real server and a real agent process, printing the figures docs/performance.md quotes.
 */
package io.meshca.samples.bench;
