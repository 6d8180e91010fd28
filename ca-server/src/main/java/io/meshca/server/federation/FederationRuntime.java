package io.meshca.server.federation;

import io.meshca.common.bundle.JwtAuthority;
import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.bundle.SpiffeBundleCodec;
import io.meshca.common.files.TextFiles;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.tls.TlsIdentity;
import io.meshca.server.ca.CaManager;
import io.meshca.server.config.FederationConfig;
import io.meshca.server.federation.endpoint.BundleEndpointServer;
import io.meshca.server.federation.endpoint.BundleFetcher;
import io.meshca.server.federation.endpoint.ServingCertificate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * The federation part of the composition root: federated bundles, relationships and their refresher,
 * and the bundle endpoint when configured. Kept out of the composition root so that it stays readable.
 */
public final class FederationRuntime implements AutoCloseable {

    private final FederatedBundles bundles;
    private final Federation federation;
    private final BundleRefresher refresher;
    private BundleEndpointServer endpoint;

    private final ScheduledExecutorService fetchThread;

    private FederationRuntime(
            FederatedBundles bundles,
            Federation federation,
            BundleRefresher refresher,
            ScheduledExecutorService fetchThread) {
        this.fetchThread = fetchThread;
        this.bundles = bundles;
        this.federation = federation;
        this.refresher = refresher;
    }

    /**
     * Applies the configured relationships, starts the refresher and, when configured, the bundle
     * endpoint.
     *
     * @param serverSvid the server's own SVID, served by an {@code https_spiffe} endpoint
     * @throws IOException if the bundle endpoint cannot listen
     */
    public static FederationRuntime start(
            FederationConfig config,
            TrustDomain td,
            FederationStore relationships,
            FederatedBundleStore bundleStore,
            CaManager ca,
            Supplier<TlsIdentity> serverSvid,
            Clock clock)
            throws IOException {
        FederatedBundles bundles = new FederatedBundles(td, bundleStore);
        BundleFetcher fetcher = new BundleFetcher(
                domain -> bundles.get(domain).map(SpiffeBundle::x509Authorities).orElse(List.of()), clock);
        // Its own thread: a fetch may block for its whole timeout, and must not hold up the watches' scheduler.
        ScheduledExecutorService fetchThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshca-bundle-refresher");
            t.setDaemon(true);
            return t;
        });
        BundleRefresher refresher = new BundleRefresher(
                relationships,
                bundles,
                fetcher::fetch,
                fetchThread,
                new BundleRefresher.RefreshPolicy(config.minRefresh(), config.defaultRefresh()));
        FederationRuntime runtime = new FederationRuntime(
                bundles, new Federation(relationships, bundles, refresher), refresher, fetchThread);
        try {
            for (FederationConfig.Configured c : config.relationships()) {
                runtime.federation.applyConfigured(
                        c.relationship(),
                        c.bundlePath().map(p -> readBundle(c.relationship().trustDomain(), p)));
            }
            refresher.start();
            if (config.bundleEndpoint().isPresent()) {
                FederationConfig.Endpoint e = config.bundleEndpoint().get();
                Supplier<TlsIdentity> identity = serverSvid;
                if (e.webProfile()) {
                    TlsIdentity fromFiles = ServingCertificate.load(e.servingCertFile(), e.servingKeyFile());
                    identity = () -> fromFiles;
                }
                Duration hint = e.refreshHint();
                runtime.endpoint = BundleEndpointServer.start(
                        new InetSocketAddress(e.address(), e.port()), identity, () -> ownBundle(td, ca, hint));
            }
        } catch (IOException | RuntimeException ex) {
            runtime.close();
            throw ex;
        }
        return runtime;
    }

    /** The own trust domain's bundle as the endpoint serves it: X.509 authorities and JWT signing keys. */
    static SpiffeBundle ownBundle(TrustDomain td, CaManager ca, Duration refreshHint) {
        List<JwtAuthority> jwt = ca.jwtAuthorities().stream()
                .map(k -> new JwtAuthority(k.kid(), k.publicKey()))
                .toList();
        return new SpiffeBundle(td, ca.x509Authorities(), jwt, ca.bundleSequence(), refreshHint);
    }

    /** A bundle file: a SPIFFE document if it looks like JSON, else PEM certificates. */
    static SpiffeBundle readBundle(TrustDomain td, Path path) {
        String text = TextFiles.readUtf8(path, "bundle file");
        if (text.stripLeading().startsWith("{")) {
            return SpiffeBundleCodec.parse(td, text);
        }
        return SpiffeBundleCodec.parse(
                td,
                SpiffeBundleCodec.toJson(
                        new SpiffeBundle(td, Pem.decodeCertificates(text), List.of(), 0, Duration.ZERO)));
    }

    /**
     * Relationships with these trust domains were created, changed or deleted, on this replica or
     * another: each is fetched now and then on its schedule, or, if deleted, no longer.
     */
    public void relationshipsChanged(Collection<TrustDomain> trustDomains) {
        trustDomains.forEach(refresher::schedule);
    }

    /** Schedules every stored relationship again (after the server reloaded its memory). */
    public void rescheduleAll() {
        refresher.start();
    }

    public FederatedBundles bundles() {
        return bundles;
    }

    public Federation federation() {
        return federation;
    }

    public Optional<Integer> endpointPort() {
        return Optional.ofNullable(endpoint).map(BundleEndpointServer::port);
    }

    @Override
    public void close() {
        refresher.close();
        fetchThread.shutdownNow();
        if (endpoint != null) {
            endpoint.close();
        }
    }
}
