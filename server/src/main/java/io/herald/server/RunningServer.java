package io.herald.server;

import io.herald.core.Herald;
import io.herald.core.config.Settings;
import io.herald.http.HeraldHttpServer;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started Herald server: its port, its {@link Herald} for in-process use, and {@link #stop()}. Thread-safe;
 * stopping is idempotent.
 */
public final class RunningServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HeraldServer.class);

    private final Herald herald;
    private final HeraldHttpServer http;
    private final Settings settings;
    private final CountDownLatch stopped = new CountDownLatch(1);

    RunningServer(Herald herald, HeraldHttpServer http, Settings settings) {
        this.herald = herald;
        this.http = http;
        this.settings = settings;
    }

    /** The port the HTTP server listens on (the real one when {@code --port 0} was given). */
    public int port() {
        return http.port();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI uri() {
        return http.uri();
    }

    /** The paths mounted on the port, sorted. */
    public List<String> paths() {
        return http.paths();
    }

    /** The assembled Herald, to publish or inspect in-process. */
    public Herald herald() {
        return herald;
    }

    /** The settings the server runs with. */
    public Settings settings() {
        return settings;
    }

    /**
     * Stops the server: the HTTP port first (requests in flight finish, up to {@code http.stop-timeout}), then
     * transports, engine and store. Logs one line when done. Idempotent.
     */
    public void stop() {
        synchronized (this) {
            if (stopped.getCount() == 0) {
                return;
            }
            herald.stop();
            stopped.countDown();
        }
        LOG.info("Herald stopped");
    }

    @Override
    public void close() {
        stop();
    }

    /** Blocks until {@link #stop()} has completed. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }
}
