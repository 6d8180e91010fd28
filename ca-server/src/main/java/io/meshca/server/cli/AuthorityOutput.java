package io.meshca.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.meshca.proto.server.v1.AuthorityState;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Prints local authorities as SPIRE's {@code localauthority} commands do, or as JSON. */
final class AuthorityOutput {

    /** Created on first use: the table output, the usual one, then never loads Jackson. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    private AuthorityOutput() {}

    static void checkFormat(CommandLine.Model.CommandSpec spec, String format) {
        if (!format.equals("pretty") && !format.equals("json")) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "unsupported -output \"" + format + "\" (supported: pretty, json)");
        }
    }

    /** {@code show}: the active, prepared and old authorities, each section always present. */
    static void show(PrintWriter out, String kind, List<AuthorityState> authorities, String format) {
        if (format.equals("json")) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put(
                    "active",
                    authorities.stream()
                            .filter(a -> a.getStatus() == AuthorityState.Status.ACTIVE)
                            .map(AuthorityOutput::fields)
                            .findFirst()
                            .orElse(null));
            doc.put(
                    "prepared",
                    authorities.stream()
                            .filter(a -> a.getStatus() == AuthorityState.Status.PREPARED)
                            .map(AuthorityOutput::fields)
                            .findFirst()
                            .orElse(null));
            doc.put(
                    "old",
                    authorities.stream()
                            .filter(a -> a.getStatus() == AuthorityState.Status.OLD)
                            .map(AuthorityOutput::fields)
                            .toList());
            out.println(json(doc));
            return;
        }
        section(out, "Active", kind, authorities, AuthorityState.Status.ACTIVE);
        out.println();
        section(out, "Prepared", kind, authorities, AuthorityState.Status.PREPARED);
        out.println();
        section(out, "Old", kind, authorities, AuthorityState.Status.OLD);
    }

    /** One authority after an action, under a heading such as {@code Prepared X.509 authority:}. */
    static void one(PrintWriter out, String heading, AuthorityState authority, String format) {
        if (format.equals("json")) {
            out.println(json(fields(authority)));
            return;
        }
        out.println(heading + ":");
        details(out, authority);
    }

    private static void section(
            PrintWriter out, String title, String kind, List<AuthorityState> all, AuthorityState.Status status) {
        out.println(title + " " + kind + " authority:");
        List<AuthorityState> matching = new ArrayList<>();
        for (AuthorityState a : all) {
            if (a.getStatus() == status) {
                matching.add(a);
            }
        }
        if (matching.isEmpty()) {
            out.println("  No " + title.toLowerCase() + " " + kind + " authority found");
        }
        for (AuthorityState a : matching) {
            details(out, a);
        }
    }

    private static void details(PrintWriter out, AuthorityState a) {
        out.println("  Authority ID: " + a.getAuthorityId());
        out.println("  Expires at: " + Instant.ofEpochSecond(a.getExpiresAt()));
        if (!a.getUpstreamAuthoritySubjectKeyId().isEmpty()) {
            out.println("  Upstream authority Subject Key ID: " + a.getUpstreamAuthoritySubjectKeyId());
        }
        if (a.getTainted()) {
            out.println("  Tainted: true");
        }
    }

    private static Map<String, Object> fields(AuthorityState a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("authority_id", a.getAuthorityId());
        m.put("status", a.getStatus().name());
        m.put("expires_at", a.getExpiresAt());
        m.put("upstream_authority_subject_key_id", a.getUpstreamAuthoritySubjectKeyId());
        m.put("tainted", a.getTainted());
        return m;
    }

    private static String json(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
