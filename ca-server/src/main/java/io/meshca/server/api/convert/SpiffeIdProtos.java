package io.meshca.server.api.convert;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;

/** A SPIFFE ID in a string field of a request: required, and parsed with the field named in the error. */
public final class SpiffeIdProtos {

    private SpiffeIdProtos() {}

    public static SpiffeId fromProto(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidArgumentException(field + " is required");
        }
        try {
            return SpiffeId.parse(text);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException("invalid " + field + ": " + e.getMessage(), e);
        }
    }
}
