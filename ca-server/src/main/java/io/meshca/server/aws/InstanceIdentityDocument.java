package io.meshca.server.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.selector.AwsIidSelectors;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The fields of an EC2 instance identity document that name the instance (the document has more:
 * architecture, instanceType, privateIp, version...). Each is checked against the form AWS gives it, since
 * they become segments of the agent's SPIFFE ID and selector values.
 *
 * @param pendingTime when the instance was launched (or last started): the document is made then and
 *     served unchanged until the instance stops
 */
public record InstanceIdentityDocument(
        String accountId,
        String region,
        String availabilityZone,
        String instanceId,
        String imageId,
        Instant pendingTime) {

    public static final String NOT_JSON = "aws_iid document is not a JSON object";

    private static final ObjectMapper JSON = new ObjectMapper();

    public InstanceIdentityDocument {
        check("accountId", accountId, AwsIidSelectors.ACCOUNT);
        check("region", region, AwsIidSelectors.ZONE);
        check("availabilityZone", availabilityZone, AwsIidSelectors.ZONE);
        check("instanceId", instanceId, AwsIidSelectors.INSTANCE);
        check("imageId", imageId, AwsIidSelectors.AMI);
        Objects.requireNonNull(pendingTime, "pendingTime");
    }

    /**
     * Reads a document as the metadata service serves it.
     *
     * @throws InvalidArgumentException naming the field that is missing or malformed
     */
    public static InstanceIdentityDocument parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidArgumentException(NOT_JSON);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidArgumentException(NOT_JSON);
        }
        String pending = text(root, "pendingTime");
        Instant pendingTime;
        try {
            pendingTime = Instant.parse(pending);
        } catch (DateTimeParseException e) {
            throw new InvalidArgumentException("aws_iid document pendingTime is not an ISO-8601 instant");
        }
        return new InstanceIdentityDocument(
                text(root, "accountId"),
                text(root, "region"),
                text(root, "availabilityZone"),
                text(root, "instanceId"),
                text(root, "imageId"),
                pendingTime);
    }

    private static String text(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || !value.isTextual()) {
            throw new InvalidArgumentException("aws_iid document has no \"" + field + "\" string");
        }
        return value.asText();
    }

    private static void check(String field, String value, Pattern form) {
        Objects.requireNonNull(value, field);
        if (!form.matcher(value).matches()) {
            throw new InvalidArgumentException("aws_iid document " + field + " is not an AWS " + field);
        }
    }
}
