/**
 * SPIFFE identity values, validated at the edge: trust domains, SPIFFE IDs (with the standard's
 * rules) and selectors (type:value) with their sets.
 */
package io.meshca.common.spiffe;
