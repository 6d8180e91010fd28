package io.meshca.common.spiffe;

import java.util.Objects;

/**
 * A SPIFFE ID, {@code spiffe://<trust domain><path>}, validated by every rule of the SPIFFE-ID
 * standard (see {@link SpiffeIdRules} for the messages). Instances are always valid and normalized:
 * two equal IDs have equal strings.
 */
public record SpiffeId(TrustDomain trustDomain, String path) implements Comparable<SpiffeId> {

    public static final String SCHEME_PREFIX = "spiffe://";
    public static final int MAX_LENGTH = 2048;

    public SpiffeId {
        Objects.requireNonNull(trustDomain, "trustDomain");
        Objects.requireNonNull(path, "path");
        String problem = SpiffeIdRules.pathProblem(path);
        if (problem != null) {
            throw new InvalidSpiffeIdException(problem, SCHEME_PREFIX + trustDomain.name() + path);
        }
        if (SCHEME_PREFIX.length() + trustDomain.name().length() + path.length() > MAX_LENGTH) {
            throw new InvalidSpiffeIdException(SpiffeIdRules.TOO_LONG, SCHEME_PREFIX + trustDomain.name() + path);
        }
    }

    /** Parses a SPIFFE ID string; throws {@link InvalidSpiffeIdException} naming the rule it breaks. */
    public static SpiffeId parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidSpiffeIdException(SpiffeIdRules.EMPTY, "");
        }
        if (text.length() > MAX_LENGTH) {
            throw new InvalidSpiffeIdException(SpiffeIdRules.TOO_LONG, text.substring(0, 64) + "...");
        }
        if (!text.startsWith(SCHEME_PREFIX)) {
            throw new InvalidSpiffeIdException(SpiffeIdRules.WRONG_SCHEME, text);
        }
        String rest = text.substring(SCHEME_PREFIX.length());
        int slash = rest.indexOf('/');
        String domain = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        if (domain.isEmpty()) {
            throw new InvalidSpiffeIdException(SpiffeIdRules.MISSING_TRUST_DOMAIN, text);
        }
        String domainProblem = SpiffeIdRules.trustDomainProblem(domain);
        if (domainProblem != null) {
            throw new InvalidSpiffeIdException(domainProblem, text);
        }
        return new SpiffeId(new TrustDomain(domain), path);
    }

    /** True if this ID is in the given trust domain. */
    public boolean memberOf(TrustDomain domain) {
        return trustDomain.equals(domain);
    }

    @Override
    public int compareTo(SpiffeId other) {
        return toString().compareTo(other.toString());
    }

    @Override
    public String toString() {
        return SCHEME_PREFIX + trustDomain.name() + path;
    }
}
