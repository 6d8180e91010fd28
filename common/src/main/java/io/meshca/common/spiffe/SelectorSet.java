package io.meshca.common.spiffe;

import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable, sorted set of selectors. An entry applies to a workload when the entry's selectors
 * are a subset of the workload's selectors ({@link #isSubsetOf}); an empty entry set matches nothing,
 * so that an entry without selectors can never hand out an identity by accident.
 */
public final class SelectorSet implements Iterable<Selector> {

    private static final SelectorSet EMPTY = new SelectorSet(Set.of());

    private final Set<Selector> selectors;

    private SelectorSet(Set<Selector> selectors) {
        this.selectors = selectors;
    }

    public static SelectorSet of(Collection<Selector> selectors) {
        if (selectors.isEmpty()) {
            return EMPTY;
        }
        return new SelectorSet(Collections.unmodifiableSet(new TreeSet<>(selectors)));
    }

    public static SelectorSet of(Selector... selectors) {
        return of(List.of(selectors));
    }

    public static SelectorSet empty() {
        return EMPTY;
    }

    /** True if this set is non-empty and every selector in it is also in {@code workload}. */
    public boolean isSubsetOf(SelectorSet workload) {
        return !selectors.isEmpty() && workload.selectors.containsAll(selectors);
    }

    public boolean contains(Selector selector) {
        return selectors.contains(selector);
    }

    public boolean isEmpty() {
        return selectors.isEmpty();
    }

    public int size() {
        return selectors.size();
    }

    public Set<Selector> asSet() {
        return selectors;
    }

    @Override
    public Iterator<Selector> iterator() {
        return selectors.iterator();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SelectorSet other && selectors.equals(other.selectors);
    }

    @Override
    public int hashCode() {
        return selectors.hashCode();
    }

    @Override
    public String toString() {
        return selectors.toString();
    }
}
