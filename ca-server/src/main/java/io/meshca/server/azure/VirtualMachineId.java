package io.meshca.server.azure;

import io.meshca.common.selector.AzureMsiSelectors;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The VM a system-assigned managed identity belongs to, read from the Azure resource ID in the token's
 * {@code xms_mirid} claim: {@code /subscriptions/<sub>/resourcegroups/<rg>/providers/
 * Microsoft.Compute/virtualMachines/<name>}. The claim of a user-assigned identity names the identity's
 * own resource ({@code Microsoft.ManagedIdentity/userAssignedIdentities}), whose subscription and group
 * need not be the VM's, so it names no VM here.
 */
public record VirtualMachineId(String subscriptionId, String resourceGroup, String name) {

    public VirtualMachineId {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        Objects.requireNonNull(resourceGroup, "resourceGroup");
        Objects.requireNonNull(name, "name");
    }

    /** The VM of a resource ID, if it is a VM's and each part has the form Azure gives it. */
    public static Optional<VirtualMachineId> fromResourceId(String resourceId) {
        if (resourceId == null) {
            return Optional.empty();
        }
        String[] p = resourceId.split("/", -1);
        if (p.length != 9
                || !p[0].isEmpty()
                || !p[1].equalsIgnoreCase("subscriptions")
                || !p[3].equalsIgnoreCase("resourcegroups")
                || !p[5].equalsIgnoreCase("providers")
                || !p[6].equalsIgnoreCase("Microsoft.Compute")
                || !p[7].equalsIgnoreCase("virtualMachines")) {
            return Optional.empty();
        }
        String subscription = p[2].toLowerCase(Locale.ROOT);
        if (!AzureMsiSelectors.GUID.matcher(subscription).matches()
                || !AzureMsiSelectors.RESOURCE_GROUP_NAME.matcher(p[4]).matches()
                || !AzureMsiSelectors.MACHINE_NAME.matcher(p[8]).matches()) {
            return Optional.empty();
        }
        return Optional.of(new VirtualMachineId(subscription, p[4], p[8]));
    }
}
