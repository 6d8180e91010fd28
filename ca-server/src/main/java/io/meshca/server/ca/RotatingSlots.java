package io.meshca.server.ca;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Authorities in two slots, active and prepared, that the {@link AuthorityRotator} drives on the
 * {@link SlotSchedule}: the X.509 CAs and the JWT signing keys.
 */
public interface RotatingSlots {

    /** What rotates, for logs: {@code X.509 CA} or {@code JWT key}. */
    String kind();

    Instant activeNotAfter();

    /** The active authority's whole lifetime, on which the schedule's fractions are counted. */
    Duration activeLifetime();

    /** When the prepared authority was published, if one is prepared. */
    Optional<Instant> preparedAt();

    /** Creates and publishes the next authority. */
    void prepare();

    /** Makes the prepared authority active; the active one becomes OLD. */
    void activatePrepared();

    /** Drops OLD authorities that expired (what they signed has expired too); returns how many. */
    int pruneExpired();
}
