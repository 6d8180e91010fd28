package io.meshca.common.spiffe;

import java.util.Objects;

/**
 * A SPIFFE trust domain name such as {@code example.org}: lowercase letters, digits, dots, dashes and
 * underscores, at most 255 bytes. Parse with {@link #parse(String)}, which also accepts the trust
 * domain's SPIFFE ID form {@code spiffe://example.org}.
 */
public record TrustDomain(String name) {

    public static final int MAX_LENGTH = 255;

    public TrustDomain {
        Objects.requireNonNull(name, "name");
        String problem = SpiffeIdRules.trustDomainProblem(name);
        if (problem != null) {
            throw new InvalidSpiffeIdException(problem, name);
        }
    }

    /** Parses {@code example.org} or {@code spiffe://example.org}; throws {@link InvalidSpiffeIdException}. */
    public static TrustDomain parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.contains("://")) {
            SpiffeId id = SpiffeId.parse(text);
            if (!id.path().isEmpty()) {
                throw new InvalidSpiffeIdException(SpiffeIdRules.TRUST_DOMAIN_HAS_PATH, text);
            }
            return id.trustDomain();
        }
        return new TrustDomain(text);
    }

    /** The trust domain's own SPIFFE ID, {@code spiffe://example.org}, as used to key bundles. */
    public SpiffeId id() {
        return new SpiffeId(this, "");
    }

    /** An ID in this trust domain; {@code path} must start with '/' and follow the path rules. */
    public SpiffeId withPath(String path) {
        return new SpiffeId(this, path);
    }

    @Override
    public String toString() {
        return name;
    }
}
