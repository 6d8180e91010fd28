package io.meshca.agent.rotation;

import io.meshca.agent.cache.IssuedSvid;
import io.meshca.common.pki.KeyIdentifiers;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a certificate chain depends on a tainted authority: the leaf's issuer key, or the key of any
 * certificate in the chain or of its issuer, is one the bundle names as tainted. The issuer of the
 * chain's last certificate is how a chain that stops below a tainted root is caught.
 */
final class TaintedChains {

    private TaintedChains() {}

    /**
     * @param chain leaf first
     * @param taintedIds subject key identifiers, lowercase hex (as {@link KeyIdentifiers} gives them)
     */
    static boolean carriesAny(List<X509Certificate> chain, Set<String> taintedIds) {
        if (taintedIds.isEmpty()) {
            return false;
        }
        for (X509Certificate certificate : chain) {
            if (isTainted(KeyIdentifiers.authorityKeyId(certificate), taintedIds)
                    || isTainted(KeyIdentifiers.subjectKeyId(certificate), taintedIds)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the SVID's leaf was signed by one of these authorities: the cheap check for a fresh SVID. */
    static boolean issuedByAny(IssuedSvid svid, Set<String> taintedIds) {
        return !taintedIds.isEmpty() && isTainted(KeyIdentifiers.authorityKeyId(svid.leaf()), taintedIds);
    }

    private static boolean isTainted(Optional<String> keyId, Set<String> taintedIds) {
        return keyId.isPresent() && taintedIds.contains(keyId.get());
    }
}
