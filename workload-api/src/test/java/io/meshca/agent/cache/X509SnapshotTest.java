package io.meshca.agent.cache;

import static io.meshca.agent.testing.CacheFixtures.BUNDLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.testing.CacheFixtures;
import io.meshca.common.spiffe.SpiffeId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class X509SnapshotTest {

    private static final IssuedSvid ORDERS = CacheFixtures.svid("e1", SpiffeId.parse("spiffe://example.org/orders"));

    @Test
    void aView_isRenderedOncePerSnapshot_andTheSameObjectIsReturnedAfter() {
        AtomicInteger renders = new AtomicInteger();
        X509Snapshot.View<List<String>> ids = new X509Snapshot.View<>(s -> {
            renders.incrementAndGet();
            return s.svids().stream().map(svid -> svid.spiffeId().toString()).toList();
        });
        X509Snapshot snapshot = new X509Snapshot(List.of(ORDERS), BUNDLE, Map.of());

        List<String> first = snapshot.render(ids);
        List<String> second = snapshot.render(ids);

        assertThat(first).containsExactly("spiffe://example.org/orders");
        assertThat(second).isSameAs(first);
        assertThat(renders).hasValue(1);
        // another snapshot, even an equal one, renders its own
        assertThat(new X509Snapshot(List.of(ORDERS), BUNDLE, Map.of()).render(ids))
                .isNotSameAs(first)
                .isEqualTo(first);
        assertThat(renders).hasValue(2);
    }

    @Test
    void aFailedRendering_isThrownEachTime_andNothingIsRemembered() {
        AtomicInteger renders = new AtomicInteger();
        X509Snapshot.View<String> failing = new X509Snapshot.View<>(s -> {
            renders.incrementAndGet();
            throw new IllegalStateException("key is not PKCS#8");
        });
        X509Snapshot snapshot = new X509Snapshot(List.of(ORDERS), BUNDLE, Map.of());

        assertThatThrownBy(() -> snapshot.render(failing)).hasMessage("key is not PKCS#8");
        assertThatThrownBy(() -> snapshot.render(failing)).hasMessage("key is not PKCS#8");
        assertThat(renders).hasValue(2);
    }

    @Test
    void equality_isContent_notWhatWasRendered() {
        X509Snapshot rendered = new X509Snapshot(List.of(ORDERS), BUNDLE, Map.of());
        rendered.render(new X509Snapshot.View<>(s -> "x"));
        X509Snapshot fresh = new X509Snapshot(List.of(ORDERS), BUNDLE, Map.of());

        assertThat(rendered).isEqualTo(fresh).hasSameHashCodeAs(fresh);
        assertThat(rendered).isNotEqualTo(new X509Snapshot(List.of(ORDERS), BUNDLE, Map.of(), 1));
        assertThat(rendered).isNotEqualTo(new X509Snapshot(List.of(), BUNDLE, Map.of()));
    }
}
