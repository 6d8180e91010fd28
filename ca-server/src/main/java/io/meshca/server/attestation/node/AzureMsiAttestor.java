package io.meshca.server.attestation.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.logging.LogSafe;
import io.meshca.common.selector.AzureMsiSelectors;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.azure.VirtualMachineId;
import io.meshca.server.k8s.JwksSources;
import io.meshca.server.k8s.KubernetesTokenAuthenticator;
import io.meshca.server.k8s.OidcDiscoveryJwks;
import io.meshca.server.k8s.TokenRejectedException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attests an Azure VM by the access token its managed identity gets from the VM's metadata service
 * (SPIRE's {@code azure_msi}); the payload is {@code {"token": "<JWT>"}}. The token must be signed by a
 * configured tenant's Entra ID keys, issued by that tenant ({@code iss} {@code
 * https://sts.windows.net/<tenant>/} and {@code tid}), valid now and meant for the tenant's resource
 * ({@code aud}). The agent ID names the identity: {@code
 * spiffe://<td>/meshca/agent/azure_msi/<tenant>/<principal>}, the principal being the token's {@code
 * sub} (the identity's object ID). Selectors come from the token alone: {@code principal-id}, and for a
 * VM's system-assigned identity the {@code subscription-id}, {@code resource-group} and {@code vm-name}
 * of its {@code xms_mirid} claim.
 *
 * <p>Trust on first use, as SPIRE's: the token is a bearer token that the metadata service caches and
 * hands to every caller on the VM until it expires (typically 24 hours), so a token cannot be told from
 * its replay. Instead an identity that has attested (and is not evicted) is refused the second time,
 * unless {@code allowReattestation}: a stolen token is worth nothing once the VM's agent has attested,
 * and an agent that lost its identity is evicted by an operator before it attests again. With {@code
 * allowReattestation}, agents re-bootstrap by themselves, and any process on the VM that can reach the
 * metadata service can attest as the VM until the token expires. Either way, give the agents a resource
 * of their own (an app ID registered for meshca) so that a token sent to meshca is good for nothing
 * else and tokens meant for other services are not accepted here.
 *
 * <p>Why a token is refused is logged here; the agent is told only {@link #REFUSED}.
 */
public final class AzureMsiAttestor implements NodeAttestor {

    public static final String TYPE = AzureMsiSelectors.TYPE;
    public static final String REFUSED = "azure_msi attestation refused";
    public static final String NOT_JSON = "azure_msi payload is not a JSON object";
    public static final String NO_TOKEN = "azure_msi payload has no \"token\" string";

    private static final Logger log = LoggerFactory.getLogger(AzureMsiAttestor.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrustDomain trustDomain;
    private final boolean allowReattestation;
    private final AttestedAgents attested;
    private final KubernetesTokenAuthenticator tokens;
    /** Tenant ID by issuer. */
    private final Map<String, String> tenantsByIssuer = new LinkedHashMap<>();

    /**
     * @param keys each tenant's signing keys, by tenant ID
     * @param attested the agents on record, for trust on first use
     */
    public AzureMsiAttestor(
            TrustDomain trustDomain,
            AzureMsiConfig config,
            Map<String, JWKSource<SecurityContext>> keys,
            AttestedAgents attested,
            Clock clock) {
        this.trustDomain = trustDomain;
        this.allowReattestation = config.allowReattestation();
        this.attested = Objects.requireNonNull(attested, "attested");
        List<KubernetesTokenAuthenticator.Issuer> issuers = new ArrayList<>();
        config.tenants().values().forEach(t -> {
            JWKSource<SecurityContext> tenantKeys = keys.get(t.id());
            if (tenantKeys == null) {
                throw new IllegalArgumentException("no keys for tenant " + t.id());
            }
            issuers.add(new KubernetesTokenAuthenticator.Issuer(t.issuer(), tenantKeys, List.of(t.resource())));
            tenantsByIssuer.put(t.issuer(), t.id());
        });
        this.tokens = new KubernetesTokenAuthenticator(issuers, clock);
    }

    /** The attestor of {@code config}; JWKS files are read now, so that a broken one stops the start. */
    public static AzureMsiAttestor create(
            TrustDomain trustDomain, AzureMsiConfig config, AttestedAgents attested, Clock clock) {
        Map<String, JWKSource<SecurityContext>> keys = new LinkedHashMap<>();
        config.tenants()
                .values()
                .forEach(t -> keys.put(
                        t.id(),
                        t.jwksFilePath()
                                .map(JwksSources::fromFile)
                                .orElseGet(() -> new OidcDiscoveryJwks(t.discoveryIssuer(), null, clock))));
        return new AzureMsiAttestor(trustDomain, config, keys, attested, clock);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public AttestStep attest(byte[] payload) {
        String token = token(payload);
        try {
            JWTClaimsSet claims = tokens.verify(token);
            String tenant = tenantsByIssuer.get(claims.getIssuer());
            String tid = claims.getStringClaim("tid");
            if (!tenant.equals(tid)) {
                throw new TokenRejectedException(
                        "token tid " + LogSafe.of(tid) + " is not the tenant of its issuer " + claims.getIssuer());
            }
            String principal = claims.getSubject();
            if (principal == null || !AzureMsiSelectors.GUID.matcher(principal).matches()) {
                throw new TokenRejectedException(
                        "token sub " + LogSafe.of(principal) + " is not a principal ID (a lowercase GUID)");
            }
            SpiffeId agentId = trustDomain.withPath("/meshca/agent/" + TYPE + "/" + tenant + "/" + principal);
            if (!allowReattestation && attested.isAttested(agentId)) {
                throw new TokenRejectedException("identity " + principal + " of tenant " + tenant
                        + " has attested already (evict its agent to let it attest again, or set allowReattestation)");
            }
            return new AttestStep.Attested(
                    new AttestResult(agentId, selectors(principal, claims.getStringClaim("xms_mirid"))));
        } catch (TokenRejectedException e) {
            log.warn("azure_msi attestation refused: {}", e.getMessage());
            throw new PermissionDeniedException(REFUSED);
        } catch (ParseException e) {
            log.warn("azure_msi attestation refused: token claim tid or xms_mirid is not a string");
            throw new PermissionDeniedException(REFUSED);
        }
    }

    private static String token(byte[] payload) {
        JsonNode root;
        try {
            root = JSON.readTree(new String(payload, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new InvalidArgumentException(NOT_JSON);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidArgumentException(NOT_JSON);
        }
        JsonNode token = root.get("token");
        if (token == null || !token.isTextual() || token.asText().isBlank()) {
            throw new InvalidArgumentException(NO_TOKEN);
        }
        return token.asText().trim();
    }

    private static SelectorSet selectors(String principal, String resourceId) {
        List<Selector> selectors = new ArrayList<>();
        selectors.add(selector(AzureMsiSelectors.value(AzureMsiSelectors.PRINCIPAL_ID, principal)));
        VirtualMachineId.fromResourceId(resourceId).ifPresent(vm -> {
            selectors.add(selector(AzureMsiSelectors.value(AzureMsiSelectors.SUBSCRIPTION_ID, vm.subscriptionId())));
            selectors.add(selector(AzureMsiSelectors.value(AzureMsiSelectors.RESOURCE_GROUP, vm.resourceGroup())));
            selectors.add(selector(AzureMsiSelectors.vmName(vm.resourceGroup(), vm.name())));
        });
        return SelectorSet.of(selectors);
    }

    private static Selector selector(String value) {
        return new Selector(TYPE, value);
    }
}
