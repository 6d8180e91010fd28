package io.meshca.samples.testing;

import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.exception.X509SvidException;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.workloadapi.X509Source;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A java-spiffe {@link X509Source} over static certificates from {@link TestPki}, whose SVID a test can
 * swap to play a rotation without a Workload API.
 */
public final class SwappableX509Source implements X509Source {

    private final X509Bundle bundle;
    private volatile X509Svid svid;

    public SwappableX509Source(TestPki.Authority ca, TestPki.Leaf leaf) {
        this(List.of(ca), leaf);
    }

    /** @param trusted the bundle's CAs, all of one trust domain (several while a CA rotates) */
    public SwappableX509Source(List<TestPki.Authority> trusted, TestPki.Leaf leaf) {
        Set<X509Certificate> roots =
                trusted.stream().map(TestPki.Authority::root).collect(Collectors.toSet());
        this.bundle = new X509Bundle(
                io.spiffe.spiffeid.TrustDomain.parse(trusted.get(0).domain().name()), roots);
        swap(leaf);
    }

    public static TestPki.Authority ca(String trustDomain) {
        return TestPki.root(TrustDomain.parse(trustDomain));
    }

    public static TestPki.Leaf leaf(TestPki.Authority ca, String spiffeId) {
        return ca.leaf(io.meshca.common.spiffe.SpiffeId.parse(spiffeId));
    }

    /** Makes {@code leaf} the current SVID: the next handshake presents it. */
    public void swap(TestPki.Leaf leaf) {
        try {
            svid = X509Svid.parseRaw(
                    Certificates.concatenatedDer(leaf.chain()),
                    leaf.keyPair().getPrivate().getEncoded());
        } catch (X509SvidException e) {
            throw new IllegalArgumentException("not an X509-SVID: " + e.getMessage(), e);
        }
    }

    @Override
    public X509Svid getX509Svid() {
        return svid;
    }

    @Override
    public X509Bundle getBundleForTrustDomain(io.spiffe.spiffeid.TrustDomain trustDomain)
            throws BundleNotFoundException {
        if (!trustDomain.equals(bundle.getTrustDomain())) {
            throw new BundleNotFoundException("no bundle for " + trustDomain);
        }
        return bundle;
    }

    public SpiffeId spiffeId() {
        return svid.getSpiffeId();
    }

    @Override
    public void close() {
        // nothing to release
    }
}
