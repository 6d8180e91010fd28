package io.meshca.server.ca;

import io.meshca.common.rotation.RotationPolicy;
import java.time.Duration;
import java.time.Instant;

/**
 * SPIRE's rotation schedule, for X.509 CAs and JWT keys alike: prepare the next authority — and so
 * publish it in the bundle — at half of the active one's lifetime, activate it at 5/6, so that agents,
 * workloads and federated peers hold the new authority long before the first SVID it signs.
 */
public final class SlotSchedule {

    /** What the slots need now. */
    public enum Action {
        NONE,
        PREPARE,
        ACTIVATE
    }

    private SlotSchedule() {}

    /**
     * Prepare at half of the active lifetime (no jitter: one authority per server, not a crowd to spread
     * out). Activate at 5/6 — but only once the prepared one has been published for 1/12 of a lifetime (a
     * server that was down past 5/6 must not sign with an authority nobody has yet), unless the active one
     * is in its last 1/12, when signing with a fresh authority beats not signing at all.
     *
     * @param preparedAt when the next authority was published, or null if none is prepared
     */
    public static Action due(Instant now, Instant activeNotAfter, Duration lifetime, Instant preparedAt) {
        if (preparedAt == null) {
            Instant renewAt = RotationPolicy.renewAt(activeNotAfter.minus(lifetime), activeNotAfter, 0);
            return RotationPolicy.isDue(now, renewAt) ? Action.PREPARE : Action.NONE;
        }
        Duration twelfth = lifetime.dividedBy(12);
        boolean activationTime = !now.isBefore(activeNotAfter.minus(lifetime.dividedBy(6)));
        boolean publishedLongEnough = !now.isBefore(preparedAt.plus(twelfth));
        boolean activeExpiring = !now.isBefore(activeNotAfter.minus(twelfth));
        return activationTime && (publishedLongEnough || activeExpiring) ? Action.ACTIVATE : Action.NONE;
    }
}
