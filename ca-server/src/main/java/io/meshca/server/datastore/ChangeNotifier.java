package io.meshca.server.datastore;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.LongConsumer;

/**
 * In-process wake-up for watchers: the stores call {@link #changed(long)} after each commit that
 * bumped the revision. Listeners must be quick (they only schedule work). Changes made by other
 * replicas are found by polling the change log; this only makes the local case immediate.
 */
public final class ChangeNotifier {

    private final Set<LongConsumer> listeners = new CopyOnWriteArraySet<>();

    public AutoCloseable subscribe(LongConsumer listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    public void changed(long revision) {
        for (LongConsumer listener : listeners) {
            listener.accept(revision);
        }
    }
}
