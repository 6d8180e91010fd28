package io.meshca.server.istio;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code cert_chain} of a response: the issued chain (leaf, then intermediates), then every root
 * of the trust bundle, the root that anchors the issued chain last. istio-agent's Citadel client keeps
 * only the last element as its root certificate, so during a CA rotation the last element must be
 * the root this very leaf verifies against.
 */
final class IstioChain {

    private IstioChain() {}

    static List<X509Certificate> of(List<X509Certificate> issued, List<X509Certificate> roots) {
        X509Certificate top = issued.get(issued.size() - 1);
        List<X509Certificate> chain = new ArrayList<>(issued);
        X509Certificate anchor = null;
        for (X509Certificate root : roots) {
            if (chain.contains(root)) {
                continue;
            }
            if (anchor == null && anchors(root, top)) {
                anchor = root;
            } else {
                chain.add(root);
            }
        }
        if (anchor != null) {
            chain.add(anchor);
        }
        return chain;
    }

    private static boolean anchors(X509Certificate root, X509Certificate top) {
        if (!root.getSubjectX500Principal().equals(top.getIssuerX500Principal())) {
            return false;
        }
        try {
            top.verify(root.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
