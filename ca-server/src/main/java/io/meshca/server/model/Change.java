package io.meshca.server.model;

import java.util.Objects;

/**
 * One row of the change log. {@code parentId} is set for entry changes (so a watcher can tell whether
 * a deleted entry was a node alias without reading it back).
 */
public record Change(long revision, Kind kind, String objectId, String parentId, Op op) {

    /** FEDERATED_BUNDLE: objectId is the foreign trust domain's name (kept apart from BUNDLE, the own sequence). */
    public enum Kind {
        ENTRY,
        AGENT,
        BUNDLE,
        FEDERATED_BUNDLE
    }

    public enum Op {
        UPSERT,
        DELETE
    }

    public Change {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(objectId, "objectId");
        Objects.requireNonNull(op, "op");
    }
}
