package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.PresenceStore;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.api.SessionStore;
import io.herald.core.config.ConfigurationException;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.core.memory.MemoryBroker;
import io.herald.core.memory.MemoryBrokerModule;
import io.herald.core.memory.MemoryHistoryStore;
import io.herald.core.memory.MemoryPresenceStore;
import io.herald.core.memory.MemorySessionStore;
import io.herald.core.memory.MemoryStoreModule;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The broker is chosen apart from the store; the engine publishes unless the store's append already did. */
class BrokerSelectionTest {

    private static final ChannelName ROOM = ChannelName.of("/chat/room1");

    /** A memory broker that counts how often it was asked to publish. */
    static final class CountingBroker implements Broker {
        final MemoryBroker inner = new MemoryBroker();
        final AtomicInteger published = new AtomicInteger();

        @Override
        public void publish(Message message) {
            published.incrementAndGet();
            inner.publish(message);
        }

        @Override
        public Subscription subscribe(ChannelName channelOrPattern, Listener listener) {
            return inner.subscribe(channelOrPattern, listener);
        }
    }

    /** A store whose append publishes to one broker itself, as the Redis store's script does. */
    static final class PublishingStore implements HistoryStore {
        final MemoryHistoryStore inner = new MemoryHistoryStore();
        final Broker publishesTo;

        PublishingStore(Broker publishesTo) {
            this.publishesTo = publishesTo;
        }

        @Override
        public Message append(Publication publication) {
            Message message = inner.append(publication);
            publishesTo.publish(message);
            return message;
        }

        @Override
        public Replay replay(ChannelName channel, Position after, int limit) {
            return inner.replay(channel, after, limit);
        }

        @Override
        public Position head(ChannelName channel) {
            return inner.head(channel);
        }

        @Override
        public boolean publishesTo(Broker broker) {
            return broker == publishesTo;
        }
    }

    private static AbstractModule store(HistoryStore history) {
        return new AbstractModule() {
            @Override
            protected void configure() {
                bind(HistoryStore.class).toInstance(history);
                bind(SessionStore.class).toInstance(new MemorySessionStore());
                bind(PresenceStore.class).toInstance(new MemoryPresenceStore());
            }
        };
    }

    private static AbstractModule broker(Broker broker) {
        return new AbstractModule() {
            @Override
            protected void configure() {
                bind(Broker.class).toInstance(broker);
            }
        };
    }

    private static EngineTest.Recorder publishThree(Herald herald) {
        EngineTest.Recorder live = new EngineTest.Recorder();
        herald.engine().subscribe(Principal.ANONYMOUS, ROOM, Resume.live(), live);
        for (int i = 1; i <= 3; i++) {
            herald.publish(ROOM, "{\"n\":" + i + "}");
        }
        return live;
    }

    @Test
    void aStoreWhoseAppendPublishesToTheChosenBrokerIsNotPublishedAgain() {
        CountingBroker broker = new CountingBroker();
        try (Herald herald = Herald.builder().store(store(new PublishingStore(broker))).broker(broker(broker)).build().start()) {
            EngineTest.Recorder live = publishThree(herald);
            assertThat(live.payloads()).containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
            assertThat(broker.published).as("publishes: the store's only").hasValue(3);
        }
    }

    @Test
    void anotherBrokerThanTheOneTheStorePublishesToGetsEveryMessageFromTheEngine() {
        CountingBroker storesOwn = new CountingBroker();
        CountingBroker chosen = new CountingBroker();
        try (Herald herald = Herald.builder().store(store(new PublishingStore(storesOwn))).broker(broker(chosen)).build().start()) {
            EngineTest.Recorder live = publishThree(herald);
            assertThat(live.payloads()).containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
            assertThat(chosen.published).hasValue(3);
        }
    }

    @Test
    void withoutABrokerChoiceAStoreModuleBringsItsOwn() {
        try (Herald herald = Herald.builder().store(new MemoryStoreModule()).build().start()) {
            assertThat(herald.injector().getInstance(Broker.class)).isInstanceOf(MemoryBroker.class);
            assertThat(publishThree(herald).payloads()).hasSize(3);
        }
    }

    @Test
    void aBrokerChosenInCodeReplacesTheStoresOwn() {
        CountingBroker chosen = new CountingBroker();
        try (Herald herald = Herald.builder().store(new MemoryStoreModule()).broker(broker(chosen)).build().start()) {
            assertThat(herald.injector().getInstance(Broker.class)).isSameAs(chosen);
            assertThat(publishThree(herald).payloads()).hasSize(3);
            assertThat(chosen.published).hasValue(3);
        }
    }

    @Test
    void theBrokerIsSelectedByNameFromSettings() {
        Settings settings = Settings.defaults().with(CoreSettings.TRANSPORTS, "").with(CoreSettings.BROKER, "memory");
        try (Herald herald = Herald.builder().settings(settings).pluginsFromSettings().build().start()) {
            assertThat(herald.injector().getInstance(Broker.class)).isInstanceOf(MemoryBroker.class);
            assertThat(publishThree(herald).payloads()).hasSize(3);
        }
    }

    @Test
    void selectingAMissingBrokerNamesTheBrokersAvailable() {
        Settings settings = Settings.defaults().with(CoreSettings.TRANSPORTS, "").with(CoreSettings.BROKER, "rabbitmq");
        assertThatThrownBy(() -> Herald.builder().settings(settings).pluginsFromSettings().build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("no broker plugin named 'rabbitmq' on the class path (available: memory)");
    }

    @Test
    void theMemoryBrokerModuleServesAnyStore() {
        try (Herald herald = Herald.builder().store(new MemoryStoreModule()).broker(new MemoryBrokerModule()).build().start()) {
            assertThat(publishThree(herald).payloads()).hasSize(3);
        }
    }
}
