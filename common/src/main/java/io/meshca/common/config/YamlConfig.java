package io.meshca.common.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.files.TextFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Strict YAML config loading: an unknown or duplicate key is an error that names the key, where it is,
 * and the file; so is a file that is not UTF-8 text.
 * Config classes are plain Jackson-bindable classes or records whose field names are the YAML keys
 * (camelCase, like the CLI flags).
 */
public final class YamlConfig {

    // Duplicate keys are refused by the parser, at any depth (plugin blocks are maps, not beans): with
    // last-one-wins, a second "trustDomain:" further down silently undoes the first.
    private static final ObjectMapper MAPPER = new ObjectMapper(
                    new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    /** Jackson's wording of a duplicate key; the key is in quotes. */
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");

    private YamlConfig() {}

    /** Reads {@code file} into {@code type}; throws {@link InvalidArgumentException} naming the problem. */
    public static <T> T load(Path file, Class<T> type) {
        return parse(TextFiles.readUtf8(file, "config file"), file.toString(), type);
    }

    /** Parses YAML text; {@code source} names it in error messages. */
    public static <T> T parse(String text, String source, Class<T> type) {
        try {
            T value = MAPPER.readValue(text, type);
            if (value == null) {
                throw new InvalidArgumentException("config file " + source + " is empty");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidArgumentException("unknown config key \"" + location(e) + "\" in " + source
                    + " (known keys here: "
                    + e.getKnownPropertyIds().stream()
                            .map(Object::toString)
                            .sorted()
                            .collect(Collectors.joining(", ")) + ")");
        } catch (StreamReadException e) {
            rejectDuplicate(e, source);
            throw new InvalidArgumentException("config file " + source + " is not valid YAML: " + e.getMessage());
        } catch (JsonMappingException e) {
            // inside a nested block the parser's complaint comes wrapped, with the path to the block
            if (e.getCause() instanceof StreamReadException cause) {
                rejectDuplicate(cause, source);
            }
            throw new InvalidArgumentException("invalid value for config key \"" + location(e) + "\" in " + source
                    + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidArgumentException("config file " + source + " is not valid YAML: " + e.getMessage());
        }
    }

    /** Throws naming the key, its line and the file if {@code e} is the parser's duplicate-key error. */
    private static void rejectDuplicate(StreamReadException e, String source) {
        Matcher duplicate = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
        if (duplicate.find()) {
            throw new InvalidArgumentException("duplicate config key \"" + enclosingPath(e) + duplicate.group(1)
                    + "\" at line " + e.getLocation().getLineNr() + " of " + source);
        }
    }

    /** "plugins.keyManager.disk." for a key in that block: the names of the enclosing blocks. */
    private static String enclosingPath(StreamReadException e) {
        JsonParser parser = e.getProcessor();
        if (parser == null) {
            return "";
        }
        Deque<String> names = new ArrayDeque<>();
        for (JsonStreamContext block = parser.getParsingContext().getParent();
                block != null;
                block = block.getParent()) {
            if (block.inObject() && block.getCurrentName() != null) {
                names.push(block.getCurrentName());
            } else if (block.inArray()) {
                names.push("[" + block.getCurrentIndex() + "]");
            }
        }
        return names.stream().map(n -> n + ".").collect(Collectors.joining());
    }

    private static String location(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }
}
