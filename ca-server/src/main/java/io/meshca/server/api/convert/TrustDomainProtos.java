package io.meshca.server.api.convert;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.TrustDomain;

/** A trust domain name in a string field of a request. */
public final class TrustDomainProtos {

    private TrustDomainProtos() {}

    public static TrustDomain fromProto(String text) {
        try {
            return TrustDomain.parse(text);
        } catch (RuntimeException e) {
            throw new InvalidArgumentException("invalid trust domain \"" + text + "\": " + e.getMessage(), e);
        }
    }
}
