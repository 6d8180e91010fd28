package io.meshca.server.audit;

import java.util.List;
import java.util.Objects;

/**
 * Something to record: who did what to which subject. {@code detail} is free text for humans and must
 * never hold a secret (a token, a key); callers pass ids and serials only. Every field is cut to {@link
 * #MAX_FIELD_LENGTH} characters: parts of it come from callers (an admin request, a JWT audience), and
 * the log must not grow by whatever they choose to send.
 */
public record AuditEvent(String actor, String action, String subject, String detail) {

    /** Room for any real admin request (an entry with a dozen selectors) in one field. */
    public static final int MAX_FIELD_LENGTH = 4096;

    /** Values {@link #list} shows, and the characters it keeps of each. */
    static final int LISTED_VALUES = 3;

    static final int LISTED_VALUE_LENGTH = 64;

    public AuditEvent {
        actor = cut(Objects.requireNonNull(actor, "actor"), MAX_FIELD_LENGTH);
        Objects.requireNonNull(action, "action");
        subject = cut(Objects.requireNonNull(subject, "subject"), MAX_FIELD_LENGTH);
        detail = detail == null ? "" : cut(detail, MAX_FIELD_LENGTH);
    }

    /**
     * A caller-chosen list, small whatever its size: the count, then the first few values, each cut, e.g.
     * {@code 40[orders,payments,https://billing.example.org/...(+17),...]}.
     */
    public static String list(List<String> values) {
        StringBuilder b = new StringBuilder().append(values.size()).append('[');
        for (int i = 0; i < Math.min(values.size(), LISTED_VALUES); i++) {
            b.append(i == 0 ? "" : ",").append(cut(values.get(i), LISTED_VALUE_LENGTH));
        }
        return b.append(values.size() > LISTED_VALUES ? ",...]" : "]").toString();
    }

    /** {@code text}, or its first characters and how many were cut if it is longer than {@code max}. */
    static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        // The marker's longest form, so that the cut text with its marker stays within max.
        int markerLength = ("...(+" + text.length() + ")").length();
        int keep = Math.max(0, max - markerLength);
        if (keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1))) {
            keep--;
        }
        return text.substring(0, keep) + "...(+" + (text.length() - keep) + ")";
    }
}
