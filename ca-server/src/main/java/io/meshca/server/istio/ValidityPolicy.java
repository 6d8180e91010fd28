package io.meshca.server.istio;

import io.meshca.common.error.InvalidArgumentException;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@code validity_duration} (seconds) of a request turns into: zero or less means the default
 * ({@link Duration#ZERO} when that is the server's default X509-SVID TTL), above the maximum is refused
 * rather than clamped — istio-agent schedules its renewal on the validity it asked for.
 */
public record ValidityPolicy(Duration defaultTtl, Duration maxTtl) {

    public ValidityPolicy {
        Objects.requireNonNull(defaultTtl, "defaultTtl");
        Objects.requireNonNull(maxTtl, "maxTtl");
    }

    /** The TTL to issue with; {@link Duration#ZERO} means the issuer's default. */
    public Duration ttlFor(long validitySeconds) {
        if (validitySeconds <= 0) {
            return defaultTtl;
        }
        if (validitySeconds > maxTtl.toSeconds()) {
            throw new InvalidArgumentException("requested validity_duration " + validitySeconds
                    + "s exceeds the maximum " + maxTtl.toSeconds() + "s (istioCa.maxTtl)");
        }
        return Duration.ofSeconds(validitySeconds);
    }
}
