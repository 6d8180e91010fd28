package io.meshca.common.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.meshca.common.error.InvalidArgumentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Strict YAML config loading: an unknown key is an error that names the key, where it is, and the file.
 * Config classes are plain Jackson-bindable classes or records whose field names are the YAML keys
 * (camelCase, like the CLI flags).
 */
public final class YamlConfig {

    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private YamlConfig() {}

    /** Reads {@code file} into {@code type}; throws {@link InvalidArgumentException} naming the problem. */
    public static <T> T load(Path file, Class<T> type) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidArgumentException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new InvalidArgumentException("cannot read config file " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString(), type);
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
        } catch (JsonMappingException e) {
            throw new InvalidArgumentException("invalid value for config key \"" + location(e) + "\" in " + source
                    + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidArgumentException("config file " + source + " is not valid YAML: " + e.getMessage());
        }
    }

    private static String location(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }
}
