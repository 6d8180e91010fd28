package io.meshca.agent.attestation.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.plugin.PluginConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Attests with an access token of the VM's managed identity (SPIRE's {@code azure_msi}), asked of the
 * Azure instance metadata service for {@code resource}, which must be the resource the server's {@code
 * azure_msi} expects of the tenant. The evidence is {@code {"token": "<JWT>"}}. The service caches the
 * token and gives a fresh one before it expires, so the agent can attest again by itself.
 */
public final class AzureMsiAttestor implements NodeAttestor {

    public static final String TYPE = "azure_msi";
    /** The block's keys. */
    public static final String CAN_REATTEST = "canReattest";

    public static final String RESOURCE = "resource";

    public static final String METADATA_URL = "metadataUrl";
    /** Azure Resource Manager, as SPIRE's agent asks by default. */
    public static final String DEFAULT_RESOURCE = "https://management.azure.com/";

    public static final String DEFAULT_METADATA_URL = "http://169.254.169.254";

    static final String TOKEN_PATH = "/metadata/identity/oauth2/token";
    static final String API_VERSION = "2018-02-01";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MetadataService imds;
    private final String resource;
    private final boolean canReattest;

    public AzureMsiAttestor(URI metadataUrl, String resource) {
        this(metadataUrl, resource, false);
    }

    /** @param canReattest whether the server's {@code azure_msi} allows reattestation */
    public AzureMsiAttestor(URI metadataUrl, String resource, boolean canReattest) {
        this.imds = new MetadataService(metadataUrl, "Azure instance metadata service");
        this.resource = resource;
        this.canReattest = canReattest;
    }

    /**
     * The {@code plugins.nodeAttestor.azure_msi} plugin: {@code resource} (default {@link
     * #DEFAULT_RESOURCE}), {@code metadataUrl} (default {@link #DEFAULT_METADATA_URL}), {@code canReattest}
     * (default false: the server's {@code azure_msi} trusts an identity on first use only).
     *
     * @throws io.meshca.common.error.InvalidArgumentException naming a key of the block it refuses
     */
    public static AzureMsiAttestor create(PluginConfig block) {
        block.allowOnly(RESOURCE, METADATA_URL, CAN_REATTEST);
        URI url = MetadataService.url(
                block.path() + "." + METADATA_URL, block.string(METADATA_URL).orElse(DEFAULT_METADATA_URL));
        String resource = block.string(RESOURCE).orElse(DEFAULT_RESOURCE);
        if (resource.isBlank()) {
            throw new InvalidArgumentException(block.path() + "." + RESOURCE + " must not be empty");
        }
        return new AzureMsiAttestor(url, resource, block.bool(CAN_REATTEST, false));
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The managed identity's token for {@code resource}, as the metadata service gives it now.
     *
     * @throws FailedPreconditionException naming the service, or saying what its answer lacks
     */
    @Override
    public Optional<byte[]> payload() {
        String body = imds.get(
                TOKEN_PATH + "?api-version=" + API_VERSION + "&resource="
                        + URLEncoder.encode(resource, StandardCharsets.UTF_8),
                Map.of("Metadata", "true"));
        String token;
        try {
            JsonNode answer = JSON.readTree(body);
            JsonNode accessToken = answer == null ? null : answer.get("access_token");
            if (accessToken == null
                    || !accessToken.isTextual()
                    || accessToken.asText().isBlank()) {
                throw new FailedPreconditionException("the Azure instance metadata service at " + imds.base()
                        + " answered without an access_token (has the VM a managed identity?)");
            }
            token = accessToken.asText();
            return Optional.of(JSON.writeValueAsBytes(JSON.createObjectNode().put("token", token)));
        } catch (JsonProcessingException e) {
            throw new FailedPreconditionException(
                    "the Azure instance metadata service at " + imds.base() + " answered with something not JSON");
        }
    }

    /**
     * As configured: the metadata service hands out a valid token for as long as the VM has its identity,
     * but the server takes it once unless its {@code allowReattestation} is set.
     */
    @Override
    public boolean canReattest() {
        return canReattest;
    }

    /** Names the service and resource, never the token. */
    @Override
    public String toString() {
        return "AzureMsiAttestor[metadataUrl=" + imds.base() + ", resource=" + resource + ", canReattest=" + canReattest
                + "]";
    }
}
