package io.meshca.agent.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The resolver over a fake DNS, on direct executors: every lookup finishes before the call returns. */
class ServerListNameResolverTest {

    private final Map<String, InetAddress[]> dns = new ConcurrentHashMap<>();
    private final List<String> lookups = new ArrayList<>();
    private final Recorder listener = new Recorder();
    private final SynchronizationContext syncContext = new SynchronizationContext((t, e) -> {
        throw new AssertionError(e);
    });

    private ServerListNameResolver resolver(ServerAddress... servers) {
        return new ServerListNameResolver(
                List.of(servers),
                host -> {
                    lookups.add(host);
                    InetAddress[] found = dns.get(host);
                    if (found == null) {
                        throw new UnknownHostException(host + ": Name or service not known");
                    }
                    return found;
                },
                Runnable::run,
                syncContext);
    }

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @Test
    void everyAddressOfEveryEntry_isItsOwnSubchannel_inTheOrderGiven() throws Exception {
        dns.put("ca.internal", new InetAddress[] {ip("10.0.0.1"), ip("10.0.0.2")});
        dns.put("10.0.0.3", new InetAddress[] {ip("10.0.0.3")});

        resolver(new ServerAddress("ca.internal", 8081), new ServerAddress("10.0.0.3", 9000))
                .start(listener);

        assertThat(listener.addresses())
                .containsExactly(
                        new InetSocketAddress(ip("10.0.0.1"), 8081),
                        new InetSocketAddress(ip("10.0.0.2"), 8081),
                        new InetSocketAddress(ip("10.0.0.3"), 9000));
    }

    @Test
    void theSameAddressTwice_isOneSubchannel() throws Exception {
        dns.put("ca.internal", new InetAddress[] {ip("10.0.0.1")});
        dns.put("10.0.0.1", new InetAddress[] {ip("10.0.0.1")});

        resolver(new ServerAddress("ca.internal", 8081), new ServerAddress("10.0.0.1", 8081))
                .start(listener);

        assertThat(listener.addresses()).containsExactly(new InetSocketAddress(ip("10.0.0.1"), 8081));
    }

    @Test
    void anEntryThatDoesNotResolve_isLeftOut_whileAnotherDoes() throws Exception {
        dns.put("ca-2.internal", new InetAddress[] {ip("10.0.0.2")});

        resolver(new ServerAddress("ca-1.internal", 8081), new ServerAddress("ca-2.internal", 8081))
                .start(listener);

        assertThat(listener.addresses()).containsExactly(new InetSocketAddress(ip("10.0.0.2"), 8081));
        assertThat(listener.errors).isEmpty();
    }

    @Test
    void noEntryResolving_isUnavailable_namingEachHost() {
        resolver(new ServerAddress("ca-1.internal", 8081), new ServerAddress("ca-2.internal", 8081))
                .start(listener);

        assertThat(listener.results).isEmpty();
        assertThat(listener.errors).singleElement().satisfies(status -> {
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(status.getDescription())
                    .startsWith("no ca-server address resolves: ca-1.internal: ")
                    .contains("; ca-2.internal: ");
        });
    }

    @Test
    void refresh_looksUpAgain_andReportsTheNewAddresses() throws Exception {
        dns.put("ca.internal", new InetAddress[] {ip("10.0.0.1")});
        ServerListNameResolver resolver = resolver(new ServerAddress("ca.internal", 8081));
        resolver.start(listener);

        dns.put("ca.internal", new InetAddress[] {ip("10.0.0.1"), ip("10.0.0.4")});
        resolver.refresh();

        assertThat(lookups).containsExactly("ca.internal", "ca.internal");
        assertThat(listener.addresses())
                .containsExactly(
                        new InetSocketAddress(ip("10.0.0.1"), 8081), new InetSocketAddress(ip("10.0.0.4"), 8081));
    }

    @Test
    void afterShutdown_nothingIsLookedUpOrReported() throws Exception {
        dns.put("ca.internal", new InetAddress[] {ip("10.0.0.1")});
        ServerListNameResolver resolver = resolver(new ServerAddress("ca.internal", 8081));
        resolver.start(listener);
        resolver.shutdown();

        resolver.refresh();

        assertThat(lookups).hasSize(1);
        assertThat(listener.results).hasSize(1);
    }

    @Test
    void serviceAuthority_isTheFirstEntry() {
        assertThat(resolver(new ServerAddress("ca-1.internal", 8081), new ServerAddress("ca-2.internal", 8081))
                        .getServiceAuthority())
                .isEqualTo("ca-1.internal:8081");
    }

    private static final class Recorder extends NameResolver.Listener2 {
        final List<NameResolver.ResolutionResult> results = new ArrayList<>();
        final List<Status> errors = new ArrayList<>();

        @Override
        public void onResult(NameResolver.ResolutionResult result) {
            results.add(result);
        }

        @Override
        public void onError(Status error) {
            errors.add(error);
        }

        /** The addresses of the latest result, one per group. */
        List<SocketAddress> addresses() {
            assertThat(results).isNotEmpty();
            List<SocketAddress> all = new ArrayList<>();
            for (EquivalentAddressGroup group : results.get(results.size() - 1).getAddresses()) {
                assertThat(group.getAddresses()).hasSize(1);
                all.addAll(group.getAddresses());
            }
            return all;
        }
    }
}
