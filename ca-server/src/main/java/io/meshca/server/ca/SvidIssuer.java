package io.meshca.server.ca;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.audit.AuditEvent;
import io.meshca.server.audit.AuditLog;
import io.meshca.server.ca.signing.CsrParser;
import io.meshca.server.ca.signing.SignedSvid;
import io.meshca.server.ca.signing.SvidRequest;
import io.meshca.server.ca.signing.X509SvidSigner;
import io.meshca.server.model.RegistrationEntry;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Issues X509-SVIDs from CSRs: the CSR contributes only its verified public key; the identity comes
 * from the entry (workloads) or the attestation (agents). Every issuance to a caller is recorded in the audit log
 * after signing and before the certificate is returned; what that guarantees depends on the server's
 * {@code auditWrites} setting:
 * <ul>
 *   <li>{@code async} (the default): the row is queued and written by the group-commit writer; the hot
 *       path does not wait for the database, and a certificate may be out before its row is stored (or,
 *       if the store fails, without it ever being stored; the failure is logged).</li>
 *   <li>{@code sync}: the issue methods return only once the row is committed. If it cannot be, they throw
 *       {@link io.meshca.server.audit.AuditWriteException} (UNAVAILABLE) and the signed certificate is
 *       dropped: no certificate issued to a caller leaves the server unaudited.</li>
 * </ul>
 */
public final class SvidIssuer {

    private final X509SvidSigner signer;
    private final AuditLog audit;
    private final Duration defaultX509Ttl;
    private final Duration agentTtl;

    public SvidIssuer(X509SvidSigner signer, AuditLog audit, Duration defaultX509Ttl, Duration agentTtl) {
        this.signer = signer;
        this.audit = audit;
        this.defaultX509Ttl = defaultX509Ttl;
        this.agentTtl = agentTtl;
    }

    /** The hot path (agent batches): DER out, nothing parsed back. */
    public SignedSvid issueWorkloadSvid(RegistrationEntry entry, byte[] csr, SpiffeId requestedBy) {
        var key = CsrParser.verify(csr).subjectPublicKeyInfo();
        Duration ttl = entry.x509SvidTtl().isZero() ? defaultX509Ttl : entry.x509SvidTtl();
        SignedSvid svid = signer.signDer(new SvidRequest(entry.spiffeId(), key, entry.dnsNames(), ttl));
        audit.record(new AuditEvent(
                requestedBy.toString(),
                "x509svid.issue",
                entry.spiffeId().toString(),
                "entry=" + entry.id() + " serial=" + svid.serial().toString(16)));
        return svid;
    }

    public List<X509Certificate> issueAgentSvid(SpiffeId agentId, byte[] csr, String reason) {
        PublicKey key = CsrParser.publicKey(csr);
        List<X509Certificate> chain = signer.sign(new SvidRequest(agentId, key, List.of(), agentTtl));
        audit.record(new AuditEvent(
                agentId.toString(),
                "agent.svid." + reason,
                agentId.toString(),
                "serial=" + chain.get(0).getSerialNumber().toString(16)));
        return chain;
    }

    /**
     * For callers that authenticate themselves rather than being attested through an agent (Istio's CA
     * API): {@code id} comes from the caller's verified credential, never from the CSR.
     *
     * @param ttl already clamped by the caller's policy; zero means the default X509-SVID TTL
     * @param via the channel, recorded in the audit detail (for example {@code istio})
     */
    public List<X509Certificate> issueAuthenticatedSvid(
            SpiffeId id, byte[] csr, Duration ttl, String requestedBy, String via) {
        PublicKey key = CsrParser.publicKey(csr);
        List<X509Certificate> chain =
                signer.sign(new SvidRequest(id, key, List.of(), ttl.isZero() ? defaultX509Ttl : ttl));
        audit.record(new AuditEvent(
                requestedBy,
                "x509svid.issue",
                id.toString(),
                "via=" + via + " serial=" + chain.get(0).getSerialNumber().toString(16)));
        return chain;
    }

    /**
     * An X509-SVID an operator asked for ({@code server x509 mint}): the CSR's key, the given ID and DNS
     * names; audited like any issuance.
     *
     * @param ttl zero means the default X509-SVID TTL
     */
    public List<X509Certificate> issueForOperator(
            SpiffeId id, byte[] csr, Duration ttl, List<String> dnsNames, String requestedBy) {
        PublicKey key = CsrParser.publicKey(csr);
        List<X509Certificate> chain =
                signer.sign(new SvidRequest(id, key, dnsNames, ttl.isZero() ? defaultX509Ttl : ttl));
        audit.record(new AuditEvent(
                requestedBy,
                "x509svid.mint",
                id.toString(),
                "serial=" + chain.get(0).getSerialNumber().toString(16)));
        return chain;
    }
}
