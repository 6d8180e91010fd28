package io.meshca.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.meshca.proto.server.v1.Entry;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Renders entries as a table, as SPIRE-style blocks (after create), or as JSON. */
final class EntryOutput {

    /** Created on first use: the table output, the usual one, then never loads Jackson. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    private EntryOutput() {}

    static void checkFormat(CommandLine.Model.CommandSpec spec, String format) {
        if (!List.of("table", "pretty", "json").contains(format)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "unsupported -output \"" + format + "\" (supported: table, json)");
        }
    }

    static void print(PrintWriter out, List<Entry> entries, String format, boolean blocks) {
        switch (format) {
            case "json" -> out.println(json(entries));
            default -> {
                if (blocks) {
                    entries.forEach(e -> block(out, e));
                } else {
                    table(out, entries);
                }
            }
        }
        out.flush();
    }

    private static String selectors(Entry e) {
        List<String> s = new ArrayList<>();
        e.getSelectorsList().forEach(sel -> s.add(sel.getType() + ":" + sel.getValue()));
        return String.join(",", s);
    }

    private static String ttl(int seconds) {
        return seconds == 0 ? "default" : Integer.toString(seconds);
    }

    private static void block(PrintWriter out, Entry e) {
        out.println("Entry ID         : " + e.getId());
        out.println("SPIFFE ID        : " + e.getSpiffeId());
        out.println("Parent ID        : " + e.getParentId());
        out.println("Revision         : " + e.getRevision());
        out.println("X509-SVID TTL    : " + ttl(e.getX509SvidTtl()));
        out.println("JWT-SVID TTL     : " + ttl(e.getJwtSvidTtl()));
        e.getSelectorsList().forEach(s -> out.println("Selector         : " + s.getType() + ":" + s.getValue()));
        e.getDnsNamesList().forEach(d -> out.println("DNS name         : " + d));
        if (!e.getHint().isEmpty()) {
            out.println("Hint             : " + e.getHint());
        }
        out.println();
    }

    private static void table(PrintWriter out, List<Entry> entries) {
        out.println("Found " + entries.size() + (entries.size() == 1 ? " entry" : " entries"));
        if (entries.isEmpty()) {
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ENTRY ID", "SPIFFE ID", "PARENT ID", "SELECTORS", "X509 TTL", "DNS"});
        for (Entry e : entries) {
            rows.add(new String[] {
                e.getId(),
                e.getSpiffeId(),
                e.getParentId(),
                selectors(e),
                ttl(e.getX509SvidTtl()),
                String.join(",", e.getDnsNamesList())
            });
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(String.format("%-" + widths[i] + "s", r[i]));
                if (i < r.length - 1) {
                    line.append("  ");
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String json(List<Entry> entries) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Entry e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.getId());
            m.put("spiffe_id", e.getSpiffeId());
            m.put("parent_id", e.getParentId());
            List<Map<String, String>> sels = new ArrayList<>();
            e.getSelectorsList().forEach(s -> sels.add(Map.of("type", s.getType(), "value", s.getValue())));
            m.put("selectors", sels);
            m.put("x509_svid_ttl", e.getX509SvidTtl());
            m.put("jwt_svid_ttl", e.getJwtSvidTtl());
            m.put("dns_names", e.getDnsNamesList());
            m.put("federates_with", e.getFederatesWithList());
            m.put("hint", e.getHint());
            m.put("admin", e.getAdmin());
            m.put("downstream", e.getDownstream());
            m.put("expires_at", e.getExpiresAt());
            m.put("revision", e.getRevision());
            m.put("created_at", e.getCreatedAt());
            list.add(m);
        }
        try {
            return Json.MAPPER.writeValueAsString(Map.of("entries", list));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
