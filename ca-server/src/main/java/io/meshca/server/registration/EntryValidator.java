package io.meshca.server.registration;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.selector.SelectorVocabularies;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.model.RegistrationEntry;
import java.util.Objects;
import java.util.regex.Pattern;

/** Checks an entry before it is stored; each failure is an {@link InvalidArgumentException} naming the field. */
public final class EntryValidator {

    public static final String NO_SELECTORS = "an entry needs at least one selector";
    public static final String OWN_PARENT = "an entry cannot be its own parent: parentId and spiffeId are equal";
    public static final String NEGATIVE_EXPIRY =
            "expiresAt cannot be negative (seconds since 1970); leave it out for an entry that never expires";
    private static final Pattern DNS_LABEL = Pattern.compile("(?!-)[A-Za-z0-9-]{1,63}(?<!-)");
    private static final int MAX_TTL_SECONDS = 366 * 24 * 3600;

    private final TrustDomain trustDomain;
    private final SelectorVocabularies vocabularies;

    /** A validator that knows the selectors of every attestor meshca has. */
    public EntryValidator(TrustDomain trustDomain) {
        this(trustDomain, SelectorVocabularies.BUILT_IN);
    }

    public EntryValidator(TrustDomain trustDomain, SelectorVocabularies vocabularies) {
        this.trustDomain = Objects.requireNonNull(trustDomain, "trustDomain");
        this.vocabularies = Objects.requireNonNull(vocabularies, "vocabularies");
    }

    public RegistrationEntry validate(RegistrationEntry entry) {
        inDomain("spiffeId", entry.spiffeId());
        inDomain("parentId", entry.parentId());
        if (entry.spiffeId().path().isEmpty()) {
            throw new InvalidArgumentException("spiffeId " + entry.spiffeId() + " must have a path");
        }
        if (entry.spiffeId().equals(entry.parentId())) {
            throw new InvalidArgumentException(OWN_PARENT + " (" + entry.spiffeId() + ")");
        }
        if (entry.selectors().isEmpty()) {
            throw new InvalidArgumentException(NO_SELECTORS);
        }
        // A selector no attestor produces would make an entry that silently never matches.
        for (Selector selector : entry.selectors()) {
            vocabularies.check(selector);
        }
        if (entry.expiresAt() != null && entry.expiresAt().getEpochSecond() < 0) {
            throw new InvalidArgumentException(
                    NEGATIVE_EXPIRY + ", got " + entry.expiresAt().getEpochSecond());
        }
        ttl("x509SvidTtl", entry.x509SvidTtl().getSeconds());
        ttl("jwtSvidTtl", entry.jwtSvidTtl().getSeconds());
        for (String dns : entry.dnsNames()) {
            if (!isValidDnsName(dns)) {
                throw new InvalidArgumentException("invalid DNS name \"" + dns + "\"");
            }
        }
        for (String td : entry.federatesWith()) {
            TrustDomain.parse(td);
        }
        if (entry.hint().length() > 256) {
            throw new InvalidArgumentException("hint is longer than 256 characters");
        }
        return entry;
    }

    private void inDomain(String field, SpiffeId id) {
        if (!id.memberOf(trustDomain)) {
            throw new InvalidArgumentException(
                    field + " " + id + " is not in the server's trust domain " + trustDomain);
        }
    }

    private static void ttl(String field, long seconds) {
        if (seconds < 0) {
            throw new InvalidArgumentException(field + " cannot be negative, got " + seconds);
        }
        if (seconds > MAX_TTL_SECONDS) {
            throw new InvalidArgumentException(field + " is longer than a year, got " + seconds + "s");
        }
    }

    /** RFC 1123 host names, with a single leading wildcard label allowed. */
    public static boolean isValidDnsName(String name) {
        if (name == null || name.isEmpty() || name.length() > 253) {
            return false;
        }
        String[] labels = name.split("\\.", -1);
        for (int i = 0; i < labels.length; i++) {
            if (i == 0 && labels[i].equals("*") && labels.length > 2) {
                continue;
            }
            if (!DNS_LABEL.matcher(labels[i]).matches()) {
                return false;
            }
        }
        return true;
    }
}
