package io.herald.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import io.herald.api.ChannelName;
import io.herald.api.InvalidChannelException;
import io.herald.api.Message;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.core.Engine;
import io.herald.core.Resume;
import io.herald.core.Subscriber;
import io.herald.core.config.CoreSettings;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HeraldTestMode records what an application publishes, without a network")
class HeraldTestModeTest {

    private static final ChannelName ORDER_42 = ChannelName.of("/orders/42");

    private HeraldTestMode testMode;

    @AfterEach
    void stop() {
        if (testMode != null) {
            testMode.close();
        }
    }

    /** Application code under test: publishes through the engine it gets injected. */
    static final class OrderNotifier {
        private final Engine engine;

        @Inject
        OrderNotifier(Engine engine) {
            this.engine = engine;
        }

        Message shipped(int order) {
            return engine.publish(Principal.SERVER, Publication.json(ChannelName.of("/orders/" + order), "{\"status\":\"shipped\"}"));
        }
    }

    @Test
    @DisplayName("records every message published, in order, and filters by channel or pattern")
    void recordsPublishedMessages() {
        testMode = HeraldTestMode.start();
        Message first = testMode.herald().publish(ORDER_42, "{\"status\":\"paid\"}");
        Message other = testMode.herald().publish(ChannelName.of("/orders/7"), "{\"status\":\"paid\"}");
        Message second = testMode.engine().publish(new Principal("alice", null, Map.of()), Publication.json(ORDER_42, "{\"status\":\"shipped\"}"));

        assertThat(testMode.published()).containsExactly(first, other, second);
        assertThat(testMode.published(ORDER_42)).containsExactly(first, second);
        assertThat(testMode.published(ChannelName.of("/orders/*"))).containsExactly(first, other, second);
        assertThat(testMode.published(ChannelName.of("/invoices/**"))).isEmpty();
        assertThat(second.position().offset()).as("positions come from the real memory store").isEqualTo(2);
        assertThat(testMode.published(ORDER_42).get(1).payload().utf8()).isEqualTo("{\"status\":\"shipped\"}");
    }

    @Test
    @DisplayName("clear forgets the recording but not the history")
    void clearForgetsTheRecording() {
        testMode = HeraldTestMode.start();
        testMode.herald().publish(ORDER_42, "{}");
        testMode.clear();
        Message after = testMode.herald().publish(ORDER_42, "{}");

        assertThat(testMode.published()).containsExactly(after);
        assertThat(testMode.engine().history(ORDER_42, null, 10).messages()).hasSize(2);
    }

    @Test
    @DisplayName("the application's own modules are installed and what their code publishes is recorded")
    void applicationModulesPublish() {
        testMode = HeraldTestMode.builder().module(new AbstractModule() {
            @Override
            protected void configure() {
                bind(OrderNotifier.class);
            }
        }).start();

        Message shipped = testMode.instance(OrderNotifier.class).shipped(42);

        assertThat(testMode.published(ORDER_42)).containsExactly(shipped);
    }

    @Test
    @DisplayName("awaitPublished waits for messages published from another thread")
    void awaitsAsynchronousPublishes() {
        testMode = HeraldTestMode.start();
        Thread publisher = new Thread(() -> {
            for (int i = 0; i < 3; i++) {
                testMode.herald().publish(ORDER_42, "{\"i\":" + i + "}");
            }
        });
        publisher.start();

        List<Message> messages = testMode.awaitPublished(ORDER_42, 3);

        assertThat(messages).extracting(m -> m.payload().utf8()).containsExactly("{\"i\":0}", "{\"i\":1}", "{\"i\":2}");
    }

    @Test
    @DisplayName("settings apply and subscribers receive what is published, as in a real Herald")
    void isARealHerald() {
        testMode = HeraldTestMode.builder().setting(CoreSettings.HISTORY_SIZE, "2").start();
        List<Message> delivered = new CopyOnWriteArrayList<>();
        Subscriber subscriber = message -> delivered.add(message);
        testMode.engine().subscribe(Principal.SERVER, ORDER_42, Resume.live(), subscriber);
        for (int i = 0; i < 3; i++) {
            testMode.herald().publish(ORDER_42, "{}");
        }

        TestEnvironment.fromEnvironment().await().until(() -> delivered.size() == 3);
        assertThat(delivered).isEqualTo(testMode.published(ORDER_42));
        assertThat(testMode.engine().history(ORDER_42, null, 10).messages()).extracting(Message::offset).containsExactly(2L, 3L);
    }

    @Test
    @DisplayName("a refused publish throws and is not recorded; close stops Herald")
    void refusedPublishesAreNotRecorded() {
        testMode = HeraldTestMode.start();
        assertThatThrownBy(() -> testMode.herald().publish(ChannelName.of("/meta/handshake"), "{}"))
                .isInstanceOf(InvalidChannelException.class);
        assertThat(testMode.published()).isEmpty();

        testMode.close();
        assertThat(testMode.herald().isRunning()).isFalse();
    }
}
