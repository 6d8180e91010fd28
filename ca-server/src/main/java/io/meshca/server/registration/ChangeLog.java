package io.meshca.server.registration;

import io.meshca.server.model.Change;
import java.util.List;

/** The change log: what changed after a revision, for agents and replicas that sync by delta. */
public interface ChangeLog {

    /** The latest committed revision (0 before any change). */
    long currentRevision();

    /** Changes with revision greater than {@code revision}, in order, at most {@code limit}. */
    List<Change> since(long revision, int limit);
}
