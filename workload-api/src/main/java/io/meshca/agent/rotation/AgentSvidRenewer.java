package io.meshca.agent.rotation;

import java.security.cert.X509Certificate;
import java.util.List;

/** What the agent-SVID rotator needs from the server. */
@FunctionalInterface
public interface AgentSvidRenewer {

    /**
     * A new agent SVID for the key that signed {@code csr} (PKCS#10 DER).
     *
     * @return the chain, leaf first
     * @throws io.meshca.common.error.MeshcaException if the server refused (e.g. the agent was
     *     evicted) or could not be reached
     */
    List<X509Certificate> renew(byte[] csr);
}
