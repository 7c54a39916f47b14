package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.core.config.Settings;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Acknowledged mode: a handler's normal return acknowledges; an exception leaves the message unacknowledged,
 * and it comes again, flagged redelivered, before anything after it on its channel.
 */
class AcknowledgedTest {

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "long-polling"})
    void aHandlerThatThrowsGetsTheMessageAgainFlaggedRedeliveredAndOrderHolds(String transport) throws Exception {
        try (TestHerald server = new TestHerald(Settings.defaults(), null);
             HeraldClient client = HeraldClient.builder(server.bayeux()).transports(transport).acknowledged(true).build()) {
            client.connect().get();
            List<String> seen = new CopyOnWriteArrayList<>();
            List<String> handled = new CopyOnWriteArrayList<>();
            AtomicBoolean failed = new AtomicBoolean();
            client.subscribe("/ack/a", m -> {
                seen.add(m.json() + (m.redelivered() ? " again" : ""));
                if (m.json().equals("{\"n\":2}") && failed.compareAndSet(false, true)) {
                    throw new IllegalStateException("not now");
                }
                handled.add(m.json());
            }).get();
            for (int i = 0; i < 5; i++) {
                server.herald.publish(ChannelName.of("/ack/a"), "{\"n\":" + i + "}");
            }
            await().until(() -> handled.size() == 5);
            assertThat(handled).containsExactly("{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}");
            assertThat(seen).containsSubsequence("{\"n\":2}", "{\"n\":2} again", "{\"n\":3}");
            assertThat(seen).filteredOn(s -> s.startsWith("{\"n\":2}")).hasSize(2);
            assertThat(seen).doesNotHaveDuplicates();
        }
    }
}
