package io.meshca.server.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshca.common.error.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The {@code aws_iid} evidence as SPIRE's agent sends it: {@code {"document": "<the identity document
 * JSON, as served>", "rsa2048": "<its base64 PKCS#7 signature, as served>"}}. The document is kept as the
 * exact text that was signed, since its bytes are what the signature covers.
 */
public record SignedIdentityDocument(String document, String rsa2048) {

    public static final String DOCUMENT = "document";
    public static final String RSA2048 = "rsa2048";

    public static final String NOT_JSON = "aws_iid payload is not a JSON object";
    public static final String NO_DOCUMENT = "aws_iid payload has no \"document\" string";
    public static final String NO_RSA2048 =
            "aws_iid payload has no \"rsa2048\" string (the PKCS#7 signature from /latest/dynamic/instance-identity/rsa2048)";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A document is about 500 bytes and its signature about 1.5 KB; anything far larger is not evidence. */
    static final int MAX_PAYLOAD_BYTES = 16 * 1024;

    public SignedIdentityDocument {
        Objects.requireNonNull(document, "document");
        Objects.requireNonNull(rsa2048, "rsa2048");
    }

    /**
     * Reads the payload.
     *
     * @throws InvalidArgumentException naming what is missing or malformed
     */
    public static SignedIdentityDocument parse(byte[] payload) {
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new InvalidArgumentException("aws_iid payload is larger than " + MAX_PAYLOAD_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(payload, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new InvalidArgumentException(NOT_JSON);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidArgumentException(NOT_JSON);
        }
        JsonNode document = root.get(DOCUMENT);
        if (document == null || !document.isTextual() || document.asText().isBlank()) {
            throw new InvalidArgumentException(NO_DOCUMENT);
        }
        JsonNode signature = root.get(RSA2048);
        if (signature == null || !signature.isTextual() || signature.asText().isBlank()) {
            throw new InvalidArgumentException(NO_RSA2048);
        }
        return new SignedIdentityDocument(document.asText(), signature.asText());
    }

    /** The evidence as the agent sends it. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(
                    JSON.createObjectNode().put(DOCUMENT, document).put(RSA2048, rsa2048));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Names neither the document nor the signature. */
    @Override
    public String toString() {
        return "SignedIdentityDocument[" + document.length() + " chars, signature " + rsa2048.length() + " chars]";
    }
}
