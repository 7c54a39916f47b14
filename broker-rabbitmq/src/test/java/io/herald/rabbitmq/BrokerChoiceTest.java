package io.herald.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.HistoryStore;
import io.herald.api.Message;
import io.herald.api.Principal;
import io.herald.core.HealthCheck;
import io.herald.core.Herald;
import io.herald.core.RandomIds;
import io.herald.core.Resume;
import io.herald.core.config.ConfigurationException;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.core.memory.MemoryHistoryStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@code broker: rabbitmq} selected by configuration (the server's path) over either store: each message is
 * published on the exchange once, with the position history gave it, and this node's own subscriber hears it
 * back from RabbitMQ; {@code /health} has the {@code rabbitmq} check. A bad setting is refused at assembly.
 */
@DisplayName("the rabbitmq broker chosen by configuration, over any store")
class BrokerChoiceTest {

    private final ChannelName room = ChannelName.of("/choice-" + RandomIds.next(6) + "/room");
    private final List<Message> seenOnRabbitmq = new CopyOnWriteArrayList<>();
    private RabbitBroker onlooker;

    @BeforeEach
    void watchRabbitmq() {
        onlooker = RabbitTestSupport.broker();
        onlooker.start();
        onlooker.subscribe(room, seenOnRabbitmq::add);
    }

    @AfterEach
    void stopWatching() {
        onlooker.stop();
    }

    @ParameterizedTest(name = "store {0}")
    @ValueSource(strings = {"memory", "redis"})
    @DisplayName("every message goes through RabbitMQ once, with its position, and back to this node's subscriber")
    void publishesThroughRabbitmq(String store) {
        Settings settings = RabbitNodes.settings(RabbitNodes.prefix()).with(CoreSettings.TRANSPORTS, "").with(CoreSettings.STORE, store)
                .with(CoreSettings.BROKER, "rabbitmq");
        try (Herald herald = Herald.builder().settings(settings).pluginsFromSettings().build().start()) {
            assertThat(herald.injector().getInstance(HistoryStore.class).getClass().getSimpleName())
                    .isEqualTo(store.equals("memory") ? MemoryHistoryStore.class.getSimpleName() : "RedisHistoryStore");
            assertThat(herald.injector().getInstance(Broker.class)).isInstanceOf(RabbitBroker.class);
            RabbitNodes.Collecting subscriber = new RabbitNodes.Collecting();
            herald.engine().subscribe(Principal.ANONYMOUS, room, Resume.live(), subscriber);
            List<Message> published = List.of(herald.publish(room, "{\"n\":1}"), herald.publish(room, "{\"n\":2}"), herald.publish(room, "{\"n\":3}"));

            await().until(() -> subscriber.messages().size() == 3);
            assertThat(subscriber.messages()).as("what this node's subscriber got back").isEqualTo(published);
            // Held for a while: a second publish of any message would arrive within it.
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> seenOnRabbitmq.size() == 3);
            assertThat(seenOnRabbitmq).as("what went over the exchange").isEqualTo(published);
            Set<HealthCheck> checks = herald.injector().getInstance(Key.get(new TypeLiteral<Set<HealthCheck>>() { }));
            assertThat(checks).filteredOn(c -> c.name().equals("rabbitmq")).singleElement().satisfies(c -> assertThat(c.problem()).isNull());
        }
    }

    @Test
    @DisplayName("a malformed URL or exchange is refused at assembly with the setting's name, the password never printed")
    void refusesBadSettings() {
        Settings badUrl = RabbitTestSupport.settings(Map.of(RabbitSettings.URL.key(), "http://guest:secret@h:1/"));
        assertThatThrownBy(() -> new RabbitBrokerModule(badUrl)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("invalid value for rabbitmq.url").hasMessageNotContaining("secret");
        Settings reserved = RabbitTestSupport.settings(Map.of(RabbitSettings.EXCHANGE.key(), "amq.topic"));
        assertThatThrownBy(() -> new RabbitBrokerModule(reserved)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("rabbitmq.exchange").hasMessageContaining("'amq.'");
    }

    @Test
    @DisplayName("an unreachable RabbitMQ refuses the start with one line naming where it was looked for")
    void unreachable() {
        Settings settings = RabbitTestSupport.settings(Map.of(RabbitSettings.URL.key(), "amqp://guest:guest@127.0.0.1:1/"));
        RabbitBroker broker = new RabbitBroker(RabbitSettings.from(settings));
        assertThatThrownBy(broker::start).isInstanceOf(io.herald.api.StoreException.class)
                .hasMessageStartingWith("cannot connect to RabbitMQ at 127.0.0.1:1/");
    }
}
