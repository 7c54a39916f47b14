package io.herald.testkit;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.core.Engine;
import io.herald.core.Herald;
import io.herald.core.PublishListener;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.memory.MemoryStoreModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Herald in test mode: a real, started Herald in this process, on the memory store, with no transport and no
 * network, that records every message published through it. An application's own tests publish through it
 * (or through the code under test, which gets the {@link Herald} or {@link Engine}) and assert on what was
 * published, as Redisse's {@code test_mode!} and {@code Redisse.published} do:
 * <pre>{@code
 * try (HeraldTestMode herald = HeraldTestMode.start()) {
 *     new OrderNotifier(herald.engine()).shipped(order42);
 *
 *     assertThat(herald.published(ChannelName.of("/orders/42")))
 *             .singleElement()
 *             .extracting(m -> m.payload().utf8())
 *             .isEqualTo("{\"status\":\"shipped\"}");
 * }
 * }</pre>
 * With settings or the application's own Guice modules (bindings that publish, listeners, an authorizer):
 * {@code HeraldTestMode.builder().setting(CoreSettings.HISTORY_SIZE, "10").module(new OrdersModule()).start()}.
 *
 * <p>Messages are recorded after they are stored and handed to the broker, in position order per channel
 * (see {@link PublishListener}), before the publish returns; a publish that was refused is not recorded, nor
 * is a retry of a publication the store already held. Thread-safe.
 */
public final class HeraldTestMode implements AutoCloseable {

    private final Herald herald;
    private final List<Message> published;

    private HeraldTestMode(Herald herald, List<Message> published) {
        this.herald = herald;
        this.published = published;
    }

    /** Starts test mode with default settings. */
    public static HeraldTestMode start() {
        return builder().start();
    }

    /** A builder for test mode with settings or extra modules. */
    public static Builder builder() {
        return new Builder();
    }

    /** The running Herald. */
    public Herald herald() {
        return herald;
    }

    /** The engine, for publishing, subscribing and reading history as a transport would. */
    public Engine engine() {
        return herald.engine();
    }

    /** An instance from the injector: one of the application's own bindings, or one of Herald's. */
    public <T> T instance(Class<T> type) {
        return herald.injector().getInstance(type);
    }

    /** Every message published since start or the last {@link #clear()}, in the order they were published. */
    public List<Message> published() {
        synchronized (published) {
            return List.copyOf(published);
        }
    }

    /**
     * The messages published to {@code channelOrPattern}: to that exact channel, or to any channel a pattern
     * matches ({@code /orders/*}, {@code /orders/**}), in the order they were published.
     */
    public List<Message> published(ChannelName channelOrPattern) {
        Objects.requireNonNull(channelOrPattern, "channelOrPattern");
        return published().stream().filter(m -> channelOrPattern.matches(m.channel())).toList();
    }

    /**
     * Waits, for at most the {@link TestEnvironment} timeout, until {@code count} messages were published to
     * {@code channelOrPattern}, for code under test that publishes from another thread; returns them.
     *
     * @throws org.awaitility.core.ConditionTimeoutException if fewer were published in time
     */
    public List<Message> awaitPublished(ChannelName channelOrPattern, int count) {
        TestEnvironment.fromEnvironment().await(count + " messages published to " + channelOrPattern)
                .until(() -> published(channelOrPattern).size() >= count);
        return published(channelOrPattern);
    }

    /** Forgets what was recorded so far; history in the store is kept. */
    public void clear() {
        synchronized (published) {
            published.clear();
        }
    }

    /** Stops Herald. */
    @Override
    public void close() {
        herald.stop();
    }

    /** Assembles test mode. Not thread-safe. */
    public static final class Builder {
        private Settings settings = Settings.defaults();
        private final List<Module> modules = new ArrayList<>();

        private Builder() {
        }

        /** The settings Herald reads; defaults when not called. */
        public Builder settings(Settings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Sets one setting, e.g. {@code setting(CoreSettings.HISTORY_SIZE, "10")}. */
        public Builder setting(Setting<?> setting, String value) {
            this.settings = settings.with(setting, value);
            return this;
        }

        /** Adds one of the application's Guice modules. */
        public Builder module(Module module) {
            modules.add(Objects.requireNonNull(module, "module"));
            return this;
        }

        /**
         * Builds and starts Herald on the memory store.
         *
         * @throws io.herald.core.config.ConfigurationException if a setting is invalid
         */
        public HeraldTestMode start() {
            List<Message> published = new ArrayList<>();
            PublishListener recorder = message -> {
                synchronized (published) {
                    published.add(message);
                }
            };
            Herald.Builder builder = Herald.builder()
                    .settings(settings)
                    .store(new MemoryStoreModule())
                    .module(new AbstractModule() {
                        @Override
                        protected void configure() {
                            Multibinder.newSetBinder(binder(), PublishListener.class).addBinding().toInstance(recorder);
                        }
                    });
            modules.forEach(builder::module);
            return new HeraldTestMode(builder.build().start(), published);
        }
    }
}
