package io.herald.api;

/**
 * A component with connections or threads to open and close.
 *
 * <p>Constructors and Guice modules never do I/O; the engine calls {@link #start()} once the whole
 * application is assembled, in ascending {@link #phase()} (stores before the engine, the engine before
 * transports), and {@link #stop()} in the reverse order. Both are called at most once, from one thread.
 * A failing {@code start()} aborts the start; the components already started are stopped again.
 */
public interface Lifecycle {

    /** Phase of stores and brokers: started first, stopped last. */
    int STORE = 0;
    /** Phase of the engine's own services. */
    int ENGINE = 100;
    /** Phase of transports: started last, stopped first. */
    int TRANSPORT = 200;

    /** Opens connections, starts threads. Throws to refuse the start, with a message fit for one log line. */
    default void start() {
    }

    /** Closes what {@link #start()} opened; must not throw. */
    default void stop() {
    }

    /** When to start relative to other components; lower starts earlier. */
    default int phase() {
        return STORE;
    }
}
