package io.meshca.server.attestation.node;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.selector.AzureMsiSelectors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code azure_msi} block: the Microsoft Entra ID tenants whose managed identities may attest.
 * <pre>
 * azure_msi:
 *   tenants:
 *     00000000-1111-2222-3333-444444444444:
 *       resource: https://management.azure.com/    # the default; the token's aud must be exactly this
 *       jwksFile: /etc/meshca/entra-keys.json       # optional; without it, OIDC discovery of the tenant
 *   allowReattestation: false                        # the default: an identity attests once (TOFU)
 * </pre>
 *
 * @param allowReattestation whether an identity already attested (and not evicted) may attest again
 */
public record AzureMsiConfig(Map<String, Tenant> tenants, boolean allowReattestation) {

    public static final String TENANTS = "tenants";
    public static final String RESOURCE = "resource";
    public static final String JWKS_FILE = "jwksFile";
    public static final String ALLOW_REATTESTATION = "allowReattestation";
    /** Azure Resource Manager, the resource SPIRE's agent asks a token for by default. */
    public static final String DEFAULT_RESOURCE = "https://management.azure.com/";

    /**
     * One tenant.
     *
     * @param resource the audience its agents' tokens must carry
     * @param jwksFile the signing keys, if not found by OIDC discovery; null: discovery
     */
    public record Tenant(String id, String resource, Path jwksFile) {
        public Tenant {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(resource, "resource");
        }

        /** The {@code iss} of the tenant's managed-identity tokens (v1.0 access tokens). */
        public String issuer() {
            return "https://sts.windows.net/" + id + "/";
        }

        /** Where the tenant's keys are found when there is no {@code jwksFile}. */
        public String discoveryIssuer() {
            return "https://login.microsoftonline.com/" + id + "/v2.0";
        }

        public Optional<Path> jwksFilePath() {
            return Optional.ofNullable(jwksFile);
        }
    }

    public AzureMsiConfig {
        tenants = Map.copyOf(tenants);
    }

    /**
     * Reads and checks an {@code azure_msi} block.
     *
     * @throws InvalidArgumentException naming the key and what is wrong with it
     */
    public static AzureMsiConfig from(PluginConfig block) {
        block.allowOnly(TENANTS, ALLOW_REATTESTATION);
        Map<String, PluginConfig> blocks = block.blocks(TENANTS);
        if (blocks.isEmpty()) {
            throw new InvalidArgumentException(block.path() + "." + TENANTS
                    + " is required: the IDs of the Microsoft Entra ID tenants whose VMs may attest");
        }
        Map<String, Tenant> tenants = new LinkedHashMap<>();
        blocks.forEach((id, tenant) -> {
            if (!AzureMsiSelectors.GUID.matcher(id).matches()) {
                throw new InvalidArgumentException(
                        block.path() + "." + TENANTS + " keys are tenant IDs (lowercase GUIDs), got \"" + id + "\"");
            }
            tenant.allowOnly(RESOURCE, JWKS_FILE);
            String resource = tenant.string(RESOURCE).orElse(DEFAULT_RESOURCE);
            if (resource.isBlank()) {
                throw new InvalidArgumentException(tenant.path() + "." + RESOURCE + " must not be empty");
            }
            tenants.put(id, new Tenant(id, resource, tenant.path(JWKS_FILE).orElse(null)));
        });
        return new AzureMsiConfig(tenants, block.bool(ALLOW_REATTESTATION, false));
    }
}
