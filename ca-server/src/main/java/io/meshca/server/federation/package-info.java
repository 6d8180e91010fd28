/**
 * Federation with other trust domains: relationships, the bundles of foreign trust domains and the
 * refresher that keeps them fresh from their bundle endpoints.
 */
package io.meshca.server.federation;
