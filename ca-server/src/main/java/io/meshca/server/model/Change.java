package io.meshca.server.model;

import java.util.List;
import java.util.Objects;

/**
 * One row of the change log. {@code parentId} is set for entry changes (so a watcher can tell whether
 * a deleted entry was a node alias without reading it back).
 */
public record Change(long revision, Kind kind, String objectId, String parentId, Op op) {

    /**
     * FEDERATED_BUNDLE: objectId is the foreign trust domain's name (kept apart from BUNDLE, the own
     * sequence). FEDERATION: a relationship with the trust domain objectId was created, changed or deleted.
     */
    public enum Kind {
        ENTRY,
        AGENT,
        BUNDLE,
        FEDERATED_BUNDLE,
        FEDERATION
    }

    public enum Op {
        UPSERT,
        DELETE
    }

    /**
     * How many changes at the head of {@code changes} follow revision {@code after} with no revision
     * missing between them: the part of a read of the log that can be applied without skipping one.
     */
    public static int unbrokenRun(List<Change> changes, long after) {
        int n = 0;
        for (Change c : changes) {
            if (c.revision() != after + n + 1) {
                break;
            }
            n++;
        }
        return n;
    }

    public Change {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(objectId, "objectId");
        Objects.requireNonNull(op, "op");
    }
}
