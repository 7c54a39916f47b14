package io.herald.bayeux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.util.Modules;
import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.api.SessionStore;
import io.herald.api.SessionSubscription;
import io.herald.core.config.Settings;
import io.herald.core.memory.MemorySessionStore;
import io.herald.core.memory.MemoryStoreModule;
import io.herald.testkit.ForwardingSessionStore;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which thread handles a Bayeux WebSocket frame: with a store that answers without waiting, a connect of a held
 * client is handled on Jetty's selector thread that read it (no hand-off to the pool, {@code SelectorReads});
 * any other frame, and every frame where the store may wait, on a pool thread. The thread is told by the session
 * store's calls: one made on the selector thread runs inside Jetty's produce-consume step
 * ({@code AdaptiveExecutionStrategy.pcRunTask}), which runs only tasks declared non-blocking, while a frame read
 * the blocking way runs on a pool thread, or after the selector handed its production to another
 * ({@code epcRunTask}).
 */
class BayeuxSelectorReadsTest {

    /** A store call: which one, and whether it ran in a selector's produce-consume step. */
    record Call(String method, boolean onSelector) {
    }

    private static boolean onSelector() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> f.getMethodName().equals("pcRunTask")
                && f.getClassName().endsWith("AdaptiveExecutionStrategy")));
    }

    /** The memory store, saying {@code withoutWaiting} of itself and recording where it was called. */
    private static Module recordingStore(Queue<Call> calls, boolean withoutWaiting) {
        return Modules.override(new MemoryStoreModule()).with(new AbstractModule() {
            @Provides
            @Singleton
            SessionStore sessions() {
                return new ForwardingSessionStore(new MemorySessionStore()) {
                    @Override
                    public boolean answersWithoutWaiting() {
                        return withoutWaiting;
                    }

                    @Override
                    public void subscribe(String id, SessionSubscription subscription) {
                        calls.add(new Call("subscribe", onSelector()));
                        super.subscribe(id, subscription);
                    }

                    @Override
                    public int acknowledge(String id, String key, Position position, boolean cumulative) {
                        calls.add(new Call("acknowledge", onSelector()));
                        return super.acknowledge(id, key, position, cumulative);
                    }
                };
            }
        });
    }

    @ParameterizedTest(name = "store answers without waiting: {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("an acknowledging connect is handled on the selector thread where the store never waits; a subscribe, or anything where it may wait, on the pool")
    void connectsOnTheSelector(boolean withoutWaiting) throws Exception {
        Queue<Call> calls = new ConcurrentLinkedQueue<>();
        try (BayeuxTestServer server = new BayeuxTestServer(recordingStore(calls, withoutWaiting),
                Settings.defaults().with(BayeuxSettings.TIMEOUT, "5s"), 0)) {
            assertThat(server.server().connectsWithoutWaiting()).isEqualTo(withoutWaiting);
            BayeuxTestSocket socket = new BayeuxTestSocket(server.webSocket());
            BayeuxTestClient messages = new BayeuxTestClient(server.bayeux());
            ObjectNode handshake = messages.handshakeMessage();
            handshake.putObject("ext").put("ack", true);
            JsonNode reply = socket.send(BayeuxTestClient.array(handshake)).get(0);
            assertThat(reply.get("successful").asBoolean()).as(reply.toString()).isTrue();
            messages.clientId = reply.get("clientId").asText();
            assertThat(socket.send(BayeuxTestClient.array(messages.subscribeMessage("/sr/a"))).get(0).get("successful").asBoolean()).isTrue();

            // The first connect is answered at once (it carries the advice), with nothing to deliver.
            ObjectNode first = messages.connectMessage(0L);
            first.put("connectionType", "websocket");
            first.putObject("ext").put("ack", 0);
            assertThat(socket.send(BayeuxTestClient.array(first)).get(0).get("successful").asBoolean()).isTrue();
            long acked = 0;
            for (int n = 1; n <= 3; n++) {
                ObjectNode connect = messages.connectMessage(null);
                connect.put("connectionType", "websocket");
                connect.putObject("ext").put("ack", acked);
                // Held first, then answered by the publish: the socket asked for its next frame before the answer
                // went, so that frame is read where Jetty reads it (a frame that came while the thread that handled
                // the previous one was still on it is read by that thread, as demand() does).
                socket.ws.sendText(BayeuxTestClient.array(connect), true).get(5, java.util.concurrent.TimeUnit.SECONDS);
                await().until(() -> server.server().local(messages.clientId).isHolding());
                server.herald.publish(ChannelName.of("/sr/a"), "{\"n\":" + n + "}");
                ArrayNode frame = socket.next();
                assertThat(frame.get(0).get("channel").asText()).isEqualTo("/meta/connect");
                assertThat(BayeuxTestClient.deliveries(frame)).extracting(m -> m.get("data").toString()).containsExactly("{\"n\":" + n + "}");
                acked = frame.get(0).get("ext").get("ack").asLong();
            }
            await().until(() -> calls.stream().filter(c -> c.method().equals("acknowledge")).count() >= 2);

            List<Call> acks = calls.stream().filter(c -> c.method().equals("acknowledge")).toList();
            assertThat(acks).allMatch(c -> c.onSelector() == withoutWaiting);
            assertThat(calls.stream().filter(c -> c.method().equals("subscribe")).toList()).hasSize(1).allMatch(c -> !c.onSelector());
        }
    }
}
