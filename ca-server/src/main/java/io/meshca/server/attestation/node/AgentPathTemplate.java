package io.meshca.server.attestation.node;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The path of an x509pop agent's ID below {@code /meshca/agent}, written with placeholders for what the
 * node certificate says: {@code /x509pop/{{fingerprint}}} (the default) makes
 * {@code spiffe://<td>/meshca/agent/x509pop/<sha1 of the certificate>}. Placeholders are checked when the
 * config is read; the value that fills one must be a single path segment (letters, digits, '.', '_',
 * '-'), so that no certificate can climb out of its place with a {@code /} or {@code ..} in its name.
 */
public final class AgentPathTemplate {

    /** The SHA-1 of the node certificate's DER, in lowercase hex. */
    public static final String FINGERPRINT = "fingerprint";
    /** The common name of the node certificate's subject. */
    public static final String SUBJECT_CN = "subject.cn";
    /** The node certificate's serial number, in lowercase hex. */
    public static final String SERIAL_NUMBER = "serialnumber";

    public static final String DEFAULT = "/x509pop/{{" + FINGERPRINT + "}}";

    /** Where every agent ID is, whatever the template. */
    public static final String AGENT_PREFIX = "/meshca/agent";

    public static final String UNKNOWN_PLACEHOLDERS = "has unknown placeholders";
    public static final String BAD_SEGMENT = "is not a single SPIFFE ID path segment (letters, digits, '.', '_', '-')";

    private static final Set<String> KNOWN = Set.of(FINGERPRINT, SUBJECT_CN, SERIAL_NUMBER);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

    private final String template;

    private AgentPathTemplate(String template) {
        this.template = template;
    }

    /**
     * Reads a template.
     *
     * @param where the config key, for messages
     * @throws InvalidArgumentException naming {@code where} and what is wrong: unknown placeholders (all
     *     of them, with the known ones), stray braces, or text that makes no SPIFFE ID path
     */
    public static AgentPathTemplate parse(String where, String template) {
        Set<String> unknown = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!KNOWN.contains(m.group(1))) {
                unknown.add("{{" + m.group(1) + "}}");
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidArgumentException(where + " " + UNKNOWN_PLACEHOLDERS + " " + String.join(", ", unknown)
                    + " (known: {{" + FINGERPRINT + "}}, {{" + SERIAL_NUMBER + "}}, {{" + SUBJECT_CN + "}})");
        }
        String literal = PLACEHOLDER.matcher(template).replaceAll("x");
        if (literal.contains("{") || literal.contains("}")) {
            throw new InvalidArgumentException(
                    where + " has a stray '{' or '}': placeholders are written {{name}}, got \"" + template + "\"");
        }
        if (!template.startsWith("/")) {
            throw new InvalidArgumentException(where + " must make a SPIFFE ID path such as " + DEFAULT
                    + ": it starts with '/', got \"" + template + "\"");
        }
        try {
            TrustDomain.parse("example.org").withPath(AGENT_PREFIX + literal);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException(
                    where + " must make a SPIFFE ID path such as " + DEFAULT + ": " + e.getMessage());
        }
        return new AgentPathTemplate(template);
    }

    /**
     * The agent ID for a certificate with these placeholder values.
     *
     * @throws InvalidArgumentException naming each placeholder whose value is not a single path segment
     */
    public SpiffeId agentId(TrustDomain trustDomain, Map<String, String> values) {
        List<String> problems = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder path = new StringBuilder(AGENT_PREFIX);
        while (m.find()) {
            String value = values.getOrDefault(m.group(1), "");
            if (!SEGMENT.matcher(value).matches() || value.equals(".") || value.equals("..")) {
                problems.add("{{" + m.group(1) + "}} " + BAD_SEGMENT);
            }
            m.appendReplacement(path, Matcher.quoteReplacement(value));
        }
        m.appendTail(path);
        if (!problems.isEmpty()) {
            throw new InvalidArgumentException(String.join("; ", problems));
        }
        return trustDomain.withPath(path.toString());
    }

    @Override
    public String toString() {
        return template;
    }
}
