package io.meshca.server.datastore;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.LongConsumer;

/**
 * In-process wake-up: the stores call {@link #changed(long)} after each commit that took a revision,
 * so the server's change feed reads its own changes at once. Listeners must be quick (they only
 * schedule work). Other replicas' changes arrive by {@link DataStore#listenForOtherServers}.
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
