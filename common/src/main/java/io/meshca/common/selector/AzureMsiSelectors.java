package io.meshca.common.selector;

import io.meshca.common.selector.KeyedSelectorVocabulary.Rule;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code azure_msi} node selectors, {@code azure_msi:<key>:<value>}: what the server reads from a
 * managed-identity token that Microsoft Entra ID signed. {@code subscription-id} and {@code vm-name} have
 * SPIRE's names and forms; {@code resource-group} and {@code principal-id} are meshca's. All come from the
 * token itself (its {@code xms_mirid} and {@code sub} claims): SPIRE's network selectors need the Azure
 * Resource Manager API, which meshca does not call, so an entry naming them would never match and is
 * refused.
 */
public final class AzureMsiSelectors {

    public static final String TYPE = "azure_msi";
    /** The subscription of the VM: {@code subscription-id:d5b40d61-272e-48da-beb9-05f295c42bd6}. */
    public static final String SUBSCRIPTION_ID = "subscription-id";
    /** The resource group of the VM: {@code resource-group:frontend}. */
    public static final String RESOURCE_GROUP = "resource-group";
    /** The VM's name qualified by its resource group: {@code vm-name:frontend:blog}. */
    public static final String VM_NAME = "vm-name";
    /** The managed identity's principal (object) ID, the token's subject. */
    public static final String PRINCIPAL_ID = "principal-id";

    public static final String BAD_ID = "must be a lowercase GUID, e.g. d5b40d61-272e-48da-beb9-05f295c42bd6";
    public static final String BAD_RESOURCE_GROUP =
            "must be an Azure resource group name (1 to 90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.')";
    public static final String BAD_VM_NAME =
            "must be <resource group>:<VM name> (a VM name: 1 to 64 letters, digits," + " '_', '-' or '.')";

    public static final Pattern GUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    public static final Pattern RESOURCE_GROUP_NAME = Pattern.compile("[\\p{L}\\p{N}_().-]{0,89}[\\p{L}\\p{N}_()-]");
    public static final Pattern MACHINE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private static final Rule ID = new Rule(v -> GUID.matcher(v).matches(), BAD_ID);

    private static final Map<String, Rule> RULES = Map.of(
            SUBSCRIPTION_ID,
            ID,
            PRINCIPAL_ID,
            ID,
            RESOURCE_GROUP,
            new Rule(v -> RESOURCE_GROUP_NAME.matcher(v).matches(), BAD_RESOURCE_GROUP),
            VM_NAME,
            new Rule(AzureMsiSelectors::isVmName, BAD_VM_NAME));

    public static final SelectorVocabulary VOCABULARY = new KeyedSelectorVocabulary(TYPE, RULES);

    private AzureMsiSelectors() {}

    /** {@code key:value}, the value of an {@code azure_msi} selector. */
    public static String value(String key, String value) {
        return key + ":" + value;
    }

    /** {@code vm-name:<resource group>:<name>}, SPIRE's form. */
    public static String vmName(String resourceGroup, String name) {
        return value(VM_NAME, resourceGroup + ":" + name);
    }

    private static boolean isVmName(String value) {
        int colon = value.indexOf(':');
        return colon > 0
                && RESOURCE_GROUP_NAME.matcher(value.substring(0, colon)).matches()
                && MACHINE_NAME.matcher(value.substring(colon + 1)).matches();
    }
}
