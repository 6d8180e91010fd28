package io.meshca.agent.rotation;

import java.util.List;

/**
 * Workload SVIDs the rotator has just stored in the cache, and so handed to every Workload API stream
 * and SDS subscriber they concern: one per signing call that brought any.
 *
 * @param entryIds the entries whose SVID is new or replaced
 * @param replacedTainted the batch re-issued SVIDs whose chain carried a tainted authority
 */
public record IssuedBatch(List<String> entryIds, boolean replacedTainted) {

    public IssuedBatch {
        entryIds = List.copyOf(entryIds);
    }
}
