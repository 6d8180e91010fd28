package io.meshca.common.plugin;

/** How many plugins of one kind a process runs; checked at start, before anything is created. */
public enum Cardinality {
    /** One and only one (a key manager, an agent's node attestor). */
    EXACTLY_ONE("exactly one"),
    /** At least one, each consulted in turn (node attestors on the server, workload attestors). */
    ONE_OR_MORE("one or more");

    private final String words;

    Cardinality(String words) {
        this.words = words;
    }

    /** True if {@code count} configured plugins satisfy this constraint. */
    public boolean allows(int count) {
        return this == EXACTLY_ONE ? count == 1 : count >= 1;
    }

    @Override
    public String toString() {
        return words;
    }
}
