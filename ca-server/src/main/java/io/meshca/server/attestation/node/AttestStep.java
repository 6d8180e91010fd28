package io.meshca.server.attestation.node;

import java.util.Objects;
import java.util.function.Function;

/**
 * Where a node attestation stands after the attestor has looked at what the agent sent: decided, or
 * waiting for the answer to a challenge. A challenge holds no thread: the attestation service sends it
 * and calls {@link Challenge#onResponse} when the agent's answer arrives, if it does.
 */
public sealed interface AttestStep {

    /** The attestor accepts the node: this is who it is. */
    record Attested(AttestResult result) implements AttestStep {
        public Attested {
            Objects.requireNonNull(result, "result");
        }
    }

    /**
     * The attestor asks the agent {@code challenge}; the agent's answer goes to {@code onResponse}, which
     * decides (or asks again) and throws as {@link NodeAttestor#attest} does. It is called at most once.
     */
    record Challenge(byte[] challenge, Function<byte[], AttestStep> onResponse) implements AttestStep {
        public Challenge {
            Objects.requireNonNull(onResponse, "onResponse");
            challenge = Objects.requireNonNull(challenge, "challenge").clone();
        }

        @Override
        public byte[] challenge() {
            return challenge.clone();
        }
    }
}
