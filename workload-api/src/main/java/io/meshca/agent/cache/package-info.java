/**
 * The agent's cache of authorized entries, their workload SVIDs and the trust bundles, and the
 * immutable snapshots the Workload API and SDS serve from ({@link
 * io.meshca.agent.cache.WorkloadIdentitySource}). This is where a workload's selectors are matched
 * against entries.
 */
package io.meshca.agent.cache;
