package io.meshca.common.selector;

import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The vocabulary of a selector type whose values are {@code <key>:<value>} with one rule per key, as
 * the unix and Kubernetes attestors emit them: an unknown key or a value its rule refuses names the
 * known keys or the rule.
 */
final class KeyedSelectorVocabulary implements SelectorVocabulary {

    /** What a key's values must satisfy, and what a refusal says after the key. */
    record Rule(Predicate<String> accepts, String message) {}

    private final String type;
    private final SortedMap<String, Rule> rules;

    KeyedSelectorVocabulary(String type, Map<String, Rule> rules) {
        this.type = type;
        this.rules = new TreeMap<>(rules);
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public Optional<String> problem(String value) {
        int colon = value.indexOf(':');
        if (colon < 0) {
            return Optional.of(type + " selectors have the form " + type + ":<key>:<value>; known keys are " + keys());
        }
        String key = value.substring(0, colon);
        Rule rule = rules.get(key);
        if (rule == null) {
            return Optional.of("unknown " + type + " key \"" + key + "\"; known keys are " + keys());
        }
        return rule.accepts().test(value.substring(colon + 1))
                ? Optional.empty()
                : Optional.of(key + " " + rule.message());
    }

    private String keys() {
        return String.join(", ", rules.keySet());
    }
}
