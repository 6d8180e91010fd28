package io.meshca.agent.attestation.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.plugin.PluginConfig;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Attests with the EC2 instance identity document and AWS's PKCS#7 signature of it (SPIRE's {@code
 * aws_iid}), both read from the instance metadata service with IMDSv2: a session token is asked for with a
 * PUT, then sent with each read. The evidence is {@code {"document": ..., "rsa2048": ...}} as the service
 * serves them. IMDSv1 (reads without a token) is not used: an instance that requires IMDSv2 refuses it,
 * and a container whose hop limit stops the PUT should be fixed rather than worked around.
 */
public final class AwsIidAttestor implements NodeAttestor {

    public static final String TYPE = "aws_iid";
    /** The block's keys: where the metadata service is, and whether the agent may attest again. */
    public static final String METADATA_URL = "metadataUrl";

    public static final String CAN_REATTEST = "canReattest";
    public static final String DEFAULT_METADATA_URL = "http://169.254.169.254";

    static final String TOKEN_PATH = "/latest/api/token";
    static final String DOCUMENT_PATH = "/latest/dynamic/instance-identity/document";
    static final String SIGNATURE_PATH = "/latest/dynamic/instance-identity/rsa2048";
    static final String TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
    static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";
    /** The session token is used at once, for two reads. */
    static final String TOKEN_TTL_SECONDS = "60";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MetadataService imds;
    private final boolean canReattest;

    public AwsIidAttestor(URI metadataUrl, boolean canReattest) {
        this.imds = new MetadataService(metadataUrl, "EC2 instance metadata service");
        this.canReattest = canReattest;
    }

    /**
     * The {@code plugins.nodeAttestor.aws_iid} plugin: {@code metadataUrl} (default {@link
     * #DEFAULT_METADATA_URL}), {@code canReattest} (default false).
     *
     * @throws io.meshca.common.error.InvalidArgumentException naming a key of the block it refuses
     */
    public static AwsIidAttestor create(PluginConfig block) {
        block.allowOnly(METADATA_URL, CAN_REATTEST);
        URI url = MetadataService.url(
                block.path() + "." + METADATA_URL, block.string(METADATA_URL).orElse(DEFAULT_METADATA_URL));
        return new AwsIidAttestor(url, block.bool(CAN_REATTEST, false));
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The document and its signature as the metadata service serves them now.
     *
     * @throws FailedPreconditionException naming the service and the request that failed
     */
    @Override
    public Optional<byte[]> payload() {
        String session = imds.put(TOKEN_PATH, Map.of(TOKEN_TTL_HEADER, TOKEN_TTL_SECONDS))
                .trim();
        if (session.isEmpty()) {
            throw new FailedPreconditionException(
                    "the EC2 instance metadata service at " + imds.base() + " gave an empty IMDSv2 token");
        }
        Map<String, String> withToken = Map.of(TOKEN_HEADER, session);
        String document = imds.get(DOCUMENT_PATH, withToken);
        String signature = imds.get(SIGNATURE_PATH, withToken);
        try {
            return Optional.of(JSON.writeValueAsBytes(
                    JSON.createObjectNode().put("document", document).put("rsa2048", signature)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * False unless configured: the server's {@code aws_iid} refuses an instance already on record unless
     * its {@code allowReattestation} is set, so an agent whose SVID expired waits for an operator instead
     * of being refused again and again.
     */
    @Override
    public boolean canReattest() {
        return canReattest;
    }

    /** Names the service, never the evidence. */
    @Override
    public String toString() {
        return "AwsIidAttestor[metadataUrl=" + imds.base() + ", canReattest=" + canReattest + "]";
    }
}
