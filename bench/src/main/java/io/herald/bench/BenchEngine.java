package io.herald.bench;

import io.herald.api.ChannelName;
import io.herald.api.Principal;
import io.herald.core.Engine;
import io.herald.core.Herald;
import io.herald.core.Resume;
import io.herald.core.Subscriber;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;

/**
 * A started Herald on the default in-memory store and broker, as the benchmarks use it: subscriptions come
 * in as an anonymous client's would, publishes as the application's. Not thread-safe for setup; the engine
 * itself is.
 */
public final class BenchEngine implements AutoCloseable {

    private final Herald herald;
    private final Engine engine;
    private final int outboxCapacity;

    /** An engine with the default settings. */
    public BenchEngine() {
        this(Settings.defaults());
    }

    public BenchEngine(Settings settings) {
        this.herald = Herald.builder().settings(settings).build().start();
        this.engine = herald.engine();
        this.outboxCapacity = settings.get(CoreSettings.SUBSCRIBER_QUEUE);
    }

    public Engine engine() {
        return engine;
    }

    /** The per-connection queue size of the settings in force, for outbox receivers. */
    public int outboxCapacity() {
        return outboxCapacity;
    }

    /** Subscribes live, as an anonymous client. */
    public void subscribe(ChannelName channelOrPattern, Subscriber subscriber) {
        engine.subscribe(Principal.ANONYMOUS, channelOrPattern, Resume.live(), subscriber);
    }

    @Override
    public void close() {
        herald.stop();
    }
}
