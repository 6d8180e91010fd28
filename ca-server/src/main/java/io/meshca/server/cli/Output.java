package io.meshca.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The {@code -output} flag of the show, list and count commands: {@code pretty} (or {@code table}) for
 * people, {@code json} for scripts. JSON keys are the admin API's field names (snake_case).
 */
final class Output {

    static final String PRETTY = "pretty";
    static final String JSON_FORMAT = "json";
    static final String DESCRIPTION = "pretty (default) or json.";

    /** Created on first use: pretty output, the usual one, then loads neither Jackson nor protobuf's JSON. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        static final JsonFormat.Printer PROTO =
                JsonFormat.printer().preservingProtoFieldNames().includingDefaultValueFields();
    }

    private Output() {}

    /** @throws CommandLine.ParameterException naming the formats if {@code format} is neither */
    static boolean json(CommandLine.Model.CommandSpec spec, String format) {
        if (!PRETTY.equals(format) && !JSON_FORMAT.equals(format)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "unsupported -output \"" + format + "\" (supported: pretty, json)");
        }
        return JSON_FORMAT.equals(format);
    }

    /** {@code {"<key>": [<message as JSON>, ...]}}. */
    static void messages(PrintWriter out, String key, List<? extends MessageOrBuilder> messages) {
        print(out, Map.of(key, messages.stream().map(Output::tree).toList()));
    }

    static void message(PrintWriter out, MessageOrBuilder message) {
        print(out, tree(message));
    }

    /** {@code {"count": n}}, or {@code n <one|many>} for people. */
    static void count(PrintWriter out, boolean json, long count, String one, String many) {
        if (json) {
            print(out, Map.of("count", count));
        } else {
            out.println(count + " " + (count == 1 ? one : many));
            out.flush();
        }
    }

    static void print(PrintWriter out, Object document) {
        try {
            out.println(Json.MAPPER.writeValueAsString(document));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    private static JsonNode tree(MessageOrBuilder message) {
        try {
            return Json.MAPPER.readTree(Json.PROTO.print(message));
        } catch (InvalidProtocolBufferException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
