package io.meshca.samples.tls;

/** Told about every peer certificate a trust manager refuses, so that the refusal is visible in the log. */
@FunctionalInterface
public interface RefusalListener {

    /**
     * @param peer   the SPIFFE ID (URI SAN) of the refused certificate, or a description when it has none
     * @param reason why the certificate was refused, safe to log (no key material)
     */
    void refused(String peer, String reason);
}
