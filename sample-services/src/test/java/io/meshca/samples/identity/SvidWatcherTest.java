package io.meshca.samples.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.testing.TestPki;
import io.meshca.samples.testing.SwappableX509Source;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SvidWatcherTest {

    @Test
    void reportsEachNewSvidOnce() {
        TestPki.Authority ca = SwappableX509Source.ca("example.org");
        SwappableX509Source source =
                new SwappableX509Source(ca, SwappableX509Source.leaf(ca, "spiffe://example.org/orders"));
        List<SvidInfo> seen = new ArrayList<>();
        SvidWatcher watcher = new SvidWatcher(source, seen::add);

        watcher.check();
        watcher.check();
        source.swap(SwappableX509Source.leaf(ca, "spiffe://example.org/orders"));
        watcher.check();

        assertThat(seen).hasSize(2);
        assertThat(seen).extracting(SvidInfo::spiffeId).containsOnly("spiffe://example.org/orders");
        assertThat(seen.get(1).serialHex())
                .isNotEqualTo(seen.get(0).serialHex())
                .isEqualTo(source.getX509Svid().getLeaf().getSerialNumber().toString(16));
        assertThat(seen).extracting(SvidInfo::issuerFingerprint).containsOnly(IssuingCa.fingerprint(ca.certificate()));
    }

    @Test
    void anSvidFromANewCa_carriesThatCasFingerprint() {
        TestPki.Authority oldCa = SwappableX509Source.ca("example.org");
        TestPki.Authority newCa = SwappableX509Source.ca("example.org");
        SwappableX509Source source = new SwappableX509Source(
                List.of(oldCa, newCa), SwappableX509Source.leaf(oldCa, "spiffe://example.org/orders"));
        List<SvidInfo> seen = new ArrayList<>();
        SvidWatcher watcher = new SvidWatcher(source, seen::add);

        watcher.check();
        source.swap(SwappableX509Source.leaf(newCa, "spiffe://example.org/orders"));
        watcher.check();

        assertThat(seen)
                .extracting(SvidInfo::issuerFingerprint)
                .containsExactly(
                        IssuingCa.fingerprint(oldCa.certificate()), IssuingCa.fingerprint(newCa.certificate()));
    }

    @Test
    void anSvidWhoseCaIsNotInTheBundle_hasAnUnknownIssuer() {
        TestPki.Authority trusted = SwappableX509Source.ca("example.org");
        TestPki.Authority stranger = SwappableX509Source.ca("example.org");
        SwappableX509Source source =
                new SwappableX509Source(trusted, SwappableX509Source.leaf(stranger, "spiffe://example.org/orders"));
        List<SvidInfo> seen = new ArrayList<>();

        new SvidWatcher(source, seen::add).check();

        assertThat(seen).extracting(SvidInfo::issuerFingerprint).containsExactly(SvidInfo.UNKNOWN_ISSUER);
    }
}
