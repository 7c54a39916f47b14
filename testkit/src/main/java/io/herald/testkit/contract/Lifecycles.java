package io.herald.testkit.contract;

import io.herald.api.Lifecycle;

/** Starting and stopping an object under test that may or may not have a lifecycle. */
final class Lifecycles {

    private Lifecycles() {
    }

    /** Starts {@code component} if it implements {@link Lifecycle}. */
    static void start(Object component) {
        if (component instanceof Lifecycle lifecycle) {
            lifecycle.start();
        }
    }

    /** Stops {@code component}: {@link Lifecycle#stop()} if it has a lifecycle, else {@code close()} if closeable. */
    static void stop(Object component) throws Exception {
        if (component instanceof Lifecycle lifecycle) {
            lifecycle.stop();
        } else if (component instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
