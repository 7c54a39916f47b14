package io.herald.core;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A transport's open connections on this node and whether it takes new ones: what every transport's
 * {@link io.herald.api.Lifecycle} does the same way. {@link #start()} opens the door; {@link #stop()} closes it
 * and ends every open connection the transport's way (flush, close the link), so clients reconnect (here after a
 * restart, or to another node) and resume; their writers run on the shared {@link EngineThreads}, which stop
 * after every transport.
 *
 * <p>Thread-safe; iteration sees a weakly consistent snapshot.
 *
 * @param <C> the transport's connection type
 */
public final class OpenConnections<C> implements Iterable<C> {

    private final Set<C> open = ConcurrentHashMap.newKeySet();
    private final Consumer<? super C> end;
    private volatile boolean accepting;

    /** @param end how the transport ends one of its connections when it stops */
    public OpenConnections(Consumer<? super C> end) {
        this.end = end;
    }

    /** Takes new connections from now on. */
    public void start() {
        accepting = true;
    }

    /** Takes no new connections and ends every open one. */
    public void stop() {
        accepting = false;
        for (C connection : open) {
            end.accept(connection);
        }
    }

    /** Whether new connections are taken (started, not stopped). */
    public boolean accepting() {
        return accepting;
    }

    public void add(C connection) {
        open.add(connection);
    }

    public void remove(C connection) {
        open.remove(connection);
    }

    /** How many are open now. */
    public int size() {
        return open.size();
    }

    @Override
    public Iterator<C> iterator() {
        return open.iterator();
    }
}
