package io.meshca.common.selector;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.Selector;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** The selector types meshca knows, each with its vocabulary; checks a selector against them. */
public final class SelectorVocabularies {

    /**
     * Every attestor meshca has: the agent's workload attestors and the server's node attestors. A new
     * attestor adds its vocabulary here (tests check that each attestor of the server's and the agent's
     * catalogs has one).
     */
    public static final SelectorVocabularies BUILT_IN = of(
            UnixSelectors.VOCABULARY,
            JoinTokenSelectors.VOCABULARY,
            K8sSelectors.VOCABULARY,
            K8sPsatSelectors.VOCABULARY,
            X509PopSelectors.VOCABULARY,
            AwsIidSelectors.VOCABULARY,
            AzureMsiSelectors.VOCABULARY);

    private final SortedMap<String, SelectorVocabulary> byType;

    private SelectorVocabularies(SortedMap<String, SelectorVocabulary> byType) {
        this.byType = byType;
    }

    /**
     * The vocabularies as one, each found by its type.
     *
     * @throws IllegalArgumentException if two vocabularies claim the same type
     */
    public static SelectorVocabularies of(SelectorVocabulary... vocabularies) {
        SortedMap<String, SelectorVocabulary> byType = new TreeMap<>();
        for (SelectorVocabulary v : vocabularies) {
            if (byType.putIfAbsent(v.type(), v) != null) {
                throw new IllegalArgumentException("two selector vocabularies for type " + v.type());
            }
        }
        return new SelectorVocabularies(Collections.unmodifiableSortedMap(byType));
    }

    /** The known types, sorted. */
    public Set<String> types() {
        return byType.keySet();
    }

    /**
     * Checks that an attestor can produce {@code selector}.
     *
     * @throws InvalidArgumentException naming the selector and the rule it breaks: an unknown type (with
     *     the known ones) or a value its attestor never produces
     */
    public void check(Selector selector) {
        SelectorVocabulary vocabulary = byType.get(selector.type());
        if (vocabulary == null) {
            throw new InvalidArgumentException("invalid selector \"" + selector + "\": unknown selector type \""
                    + selector.type() + "\"; known types are " + String.join(", ", byType.keySet()));
        }
        Optional<String> problem = vocabulary.problem(selector.value());
        if (problem.isPresent()) {
            throw new InvalidArgumentException("invalid selector \"" + selector + "\": " + problem.get());
        }
    }
}
