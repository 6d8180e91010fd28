/**
 * Azure managed identities: the access token a VM's metadata service issues for its managed identity,
 * and what its claims say about the VM. Read by the {@code azure_msi} node attestor.
 */
package io.meshca.server.azure;
