package io.meshca.server.istio;

import io.grpc.Context;
import io.meshca.common.spiffe.SpiffeId;
import java.util.Objects;
import java.util.Optional;

/**
 * Who called Istio's CA API, as {@link IstioAuthenticationInterceptor} established it, and how
 * ({@code credential}, for logs and the audit trail: for example {@code jwt:https://issuer} or
 * {@code x509-svid}). The service reads it from the Context only.
 */
public record IstioCaller(SpiffeId id, String credential, Optional<String> clusterIdHeader) {

    static final Context.Key<IstioCaller> CURRENT = Context.key("meshca-istio-caller");

    public IstioCaller {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(clusterIdHeader, "clusterIdHeader");
    }

    static IstioCaller current() {
        IstioCaller caller = CURRENT.get();
        if (caller == null) {
            // A wiring bug, not a caller error: the interceptor is missing.
            throw new IllegalStateException("no Istio caller in the call context");
        }
        return caller;
    }
}
