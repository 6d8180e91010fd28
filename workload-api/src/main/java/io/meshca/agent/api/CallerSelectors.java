package io.meshca.agent.api;

import io.grpc.Context;
import io.meshca.common.spiffe.SelectorSet;

/**
 * The selectors of the process making the current Workload API call, put into the gRPC context by
 * {@link WorkloadAttestationInterceptor}. They come from attesting the kernel-reported peer, never
 * from anything the caller sent.
 */
public final class CallerSelectors {

    static final Context.Key<SelectorSet> KEY = Context.key("meshca.caller-selectors");

    private CallerSelectors() {}

    /**
     * The current call's selectors.
     *
     * @throws IllegalStateException if no attestation interceptor ran for this call (a wiring bug)
     */
    public static SelectorSet current() {
        SelectorSet selectors = KEY.get();
        if (selectors == null) {
            throw new IllegalStateException(
                    "no caller selectors in context: is WorkloadAttestationInterceptor installed?");
        }
        return selectors;
    }

    /** A context in which {@link #current()} returns {@code selectors}. */
    public static Context with(Context context, SelectorSet selectors) {
        return context.withValue(KEY, selectors);
    }
}
