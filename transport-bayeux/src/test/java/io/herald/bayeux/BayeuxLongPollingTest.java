package io.herald.bayeux;

import static io.herald.bayeux.BayeuxTestClient.deliveries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.herald.api.ChannelName;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Bayeux long polling over real HTTP: the meta channels, held connects, wildcards, batches and services. */
class BayeuxLongPollingTest {

    private BayeuxTestServer server;

    @BeforeEach
    void start() {
        server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "2s"), new AbstractModule() {
            @Override
            protected void configure() {
                Multibinder.newSetBinder(binder(), BayeuxService.class).addBinding().toInstance(new BayeuxService() {
                    @Override
                    public ChannelName channel() {
                        return ChannelName.of("/service/echo");
                    }

                    @Override
                    public JsonNode handle(Call call) {
                        return BayeuxTestClient.JSON.createObjectNode().put("echo", call.data().path("say").asText())
                                .put("from", call.clientId());
                    }
                });
            }
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private BayeuxTestClient client() {
        return new BayeuxTestClient(server.bayeux());
    }

    @Test
    @DisplayName("a handshake is answered with a client id, version, connection types and advice, echoing its id")
    void handshake() throws Exception {
        BayeuxTestClient client = client();
        ArrayNode response = client.send(client.handshakeMessage());
        assertThat(response).hasSize(1);
        JsonNode reply = response.get(0);
        assertThat(reply.get("channel").asText()).isEqualTo("/meta/handshake");
        assertThat(reply.get("id").asText()).isEqualTo("1");
        assertThat(reply.get("successful").asBoolean()).isTrue();
        assertThat(reply.get("version").asText()).isEqualTo("1.0");
        assertThat(reply.get("clientId").asText()).hasSizeGreaterThanOrEqualTo(22);
        assertThat(reply.get("supportedConnectionTypes")).extracting(JsonNode::asText)
                .contains("long-polling", "callback-polling", "cross-origin-long-polling");
        assertThat(reply.get("advice").get("reconnect").asText()).isEqualTo("retry");
        assertThat(reply.get("advice").get("timeout").asLong()).isEqualTo(2000);
        assertThat(reply.get("advice").get("interval").asLong()).isZero();
        assertThat(reply.has("data")).isFalse();
    }

    @Test
    @DisplayName("the first connect is answered at once, the next one is held until the timeout")
    void connectsAreHeld() throws Exception {
        BayeuxTestClient client = client();
        JsonNode first = client.send(client.handshakeMessage()).get(0);
        client.clientId = first.get("clientId").asText();
        JsonNode firstConnect = client.send(client.connectMessage(null)).get(0);
        assertThat(firstConnect.get("successful").asBoolean()).isTrue();
        CompletableFuture<ArrayNode> held = client.connectAsync();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(() -> !held.isDone());
        ArrayNode response = held.get(10, TimeUnit.SECONDS);
        assertThat(response).hasSize(1);
        assertThat(response.get(0).get("channel").asText()).isEqualTo("/meta/connect");
        assertThat(response.get(0).get("successful").asBoolean()).isTrue();
        assertThat(response.get(0).get("advice").get("reconnect").asText()).isEqualTo("retry");
    }

    @Test
    @DisplayName("a connect held with the client's shorter timeout is answered once that timeout passed, not before")
    void clientTimeoutEndsTheHold() throws Exception {
        BayeuxTestClient client = client().handshake();
        long start = System.nanoTime();
        ArrayNode response = client.connect(300);
        // The server's sweep answers it (within a tick after the 300 ms); the client waits up to 60 s.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(response).hasSize(1);
        assertThat(response.get(0).get("channel").asText()).isEqualTo("/meta/connect");
        assertThat(response.get(0).get("successful").asBoolean()).isTrue();
        assertThat(server.server().local(client.clientId).isHolding()).isFalse();
    }

    @Test
    @DisplayName("a held connect is released at once with a published message, which carries its position")
    void heldConnectReleasedByAMessage() throws Exception {
        BayeuxTestClient subscriber = client().handshake();
        subscriber.subscribe("/chat/room1");
        CompletableFuture<ArrayNode> held = subscriber.connectAsync();
        await().until(() -> server.server().local(subscriber.clientId).isHolding());
        BayeuxTestClient publisher = client().handshake();
        JsonNode reply = publisher.publish("/chat/room1", "{\"text\":\"hi\"}");
        assertThat(reply.get("successful").asBoolean()).isTrue();
        assertThat(reply.has("data")).isFalse();
        assertThat(reply.get("id").asText()).isNotEmpty();

        ArrayNode response = held.get(1500, TimeUnit.MILLISECONDS);
        assertThat(response.get(0).get("channel").asText()).isEqualTo("/meta/connect");
        List<JsonNode> delivered = deliveries(response);
        assertThat(delivered).hasSize(1);
        assertThat(delivered.get(0).get("channel").asText()).isEqualTo("/chat/room1");
        assertThat(delivered.get(0).get("data").toString()).isEqualTo("{\"text\":\"hi\"}");
        assertThat(delivered.get(0).get("ext").get("herald").get("position").asText()).matches("[A-Za-z0-9]+:1");
        assertThat(delivered.get(0).has("clientId")).isFalse();
    }

    @Test
    @DisplayName("a wake-up that finds nothing queued (it went out with an earlier reply) leaves the connect held")
    void aLateWakeUpKeepsTheConnectHeld() throws Exception {
        BayeuxTestClient subscriber = client().handshake();
        subscriber.subscribe("/chat/room1");
        CompletableFuture<ArrayNode> held = subscriber.connectAsync();
        await().until(() -> server.server().local(subscriber.clientId).isHolding());
        server.server().local(subscriber.clientId).writable();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1))
                .until(() -> !held.isDone() && server.server().local(subscriber.clientId).isHolding());
        server.herald.publish(ChannelName.of("/chat/room1"), "{\"text\":\"hi\"}");
        assertThat(deliveries(held.get(1500, TimeUnit.MILLISECONDS))).hasSize(1);
    }

    @Test
    @DisplayName("a newer connect releases the older held one")
    void newerConnectReleasesOlder() throws Exception {
        BayeuxTestClient client = client().handshake();
        CompletableFuture<ArrayNode> older = client.connectAsync();
        await().until(() -> server.server().local(client.clientId).isHolding());
        CompletableFuture<ArrayNode> newer = client.connectAsync();
        ArrayNode released = older.get(1500, TimeUnit.MILLISECONDS);
        assertThat(released.get(0).get("successful").asBoolean()).isTrue();
        assertThat(newer.get(10, TimeUnit.SECONDS).get(0).get("channel").asText()).isEqualTo("/meta/connect");
    }

    @Test
    @DisplayName("a connect held after an earlier one was released by a message waits its own timeout, not the earlier one's")
    void laterConnectKeepsItsOwnTimeout() throws Exception {
        BayeuxTestClient subscriber = client().handshake();
        subscriber.subscribe("/chat/timers");
        CompletableFuture<ArrayNode> first = subscriber.connectAsync();
        await().until(() -> server.server().local(subscriber.clientId).isHolding());
        // Held for a second of its 2 s: the next connect's time is up a second after the first one's would be.
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(2)).until(() -> !first.isDone());
        client().handshake().publish("/chat/timers", "{\"n\":1}");
        assertThat(deliveries(first.get(1500, TimeUnit.MILLISECONDS))).hasSize(1);

        CompletableFuture<ArrayNode> second = subscriber.connectAsync();

        // The first connect's time runs out within the next second; the second stays held past it.
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> !second.isDone());
        ArrayNode response = second.get(10, TimeUnit.SECONDS);
        assertThat(response.get(0).get("successful").asBoolean()).isTrue();
        assertThat(deliveries(response)).isEmpty();
    }

    @Test
    @DisplayName("a connect asking a shorter timeout than the connect held before it is answered at its own time")
    void shorterTimeoutAfterALongerOne() throws Exception {
        BayeuxTestClient subscriber = client().handshake();
        subscriber.subscribe("/chat/short");
        CompletableFuture<ArrayNode> first = subscriber.connectAsync();
        await().until(() -> server.server().local(subscriber.clientId).isHolding());
        client().handshake().publish("/chat/short", "{\"n\":1}");
        assertThat(deliveries(first.get(1500, TimeUnit.MILLISECONDS))).hasSize(1);

        // 200 ms instead of the server's 2 s: answered well before the first connect's time would have run out.
        ArrayNode response = subscriber.sendAsync(subscriber.connectMessage(200L)).get(1500, TimeUnit.MILLISECONDS);

        assertThat(response.get(0).get("successful").asBoolean()).isTrue();
        assertThat(deliveries(response)).isEmpty();
    }

    @Test
    @DisplayName("/a/* matches one segment, /a/** any depth, and a client gets one copy however many subscriptions match")
    void wildcardsAndOneCopy() throws Exception {
        BayeuxTestClient one = client().handshake();
        one.subscribe("/w/*");
        BayeuxTestClient deep = client().handshake();
        deep.subscribe("/w/**");
        BayeuxTestClient overlapping = client().handshake();
        overlapping.subscribe("/w/*", "/w/x", "/w/**");
        BayeuxTestClient publisher = client().handshake();
        publisher.publish("/w/x", "1");
        publisher.publish("/w/x/y", "2");
        publisher.publish("/w", "3");
        publisher.publish("/w/x", "4");

        assertThat(deliveries(one.connect(0))).extracting(m -> m.get("data").asText()).containsExactly("1", "4");
        assertThat(deliveries(deep.connect(0))).extracting(m -> m.get("data").asText()).containsExactly("1", "2", "4");
        List<JsonNode> got = deliveries(overlapping.connect(0));
        assertThat(got).extracting(m -> m.get("data").asText()).containsExactly("1", "2", "4");
        assertThat(got).extracting(m -> m.get("channel").asText()).containsExactly("/w/x", "/w/x/y", "/w/x");
    }

    @Test
    @DisplayName("a batch is answered in order, each id echoed, with the connect reply and deliveries last")
    void batches() throws Exception {
        BayeuxTestClient client = client().handshake();
        ArrayNode response = client.send(client.subscribeMessage("/b/one", "/b/two"), client.publishMessage("/b/one", "{\"n\":1}"),
                client.publishMessage("/b/two", "{\"n\":2}"), client.connectMessage(null));
        assertThat(response).extracting(m -> m.get("channel").asText())
                .containsExactly("/meta/subscribe", "/b/one", "/b/two", "/meta/connect", "/b/one", "/b/two");
        assertThat(response).extracting(m -> m.path("id").asText()).startsWith("3", "4", "5", "6");
        assertThat(response.get(0).get("subscription")).hasSize(2);
        for (JsonNode reply : BayeuxTestClient.replies(response)) {
            assertThat(reply.get("successful").asBoolean()).as(reply.toString()).isTrue();
        }
        JsonNode unsubscribed = client.send(client.message("/meta/unsubscribe").put("subscription", "/b/one")).get(0);
        assertThat(unsubscribed.get("successful").asBoolean()).isTrue();
        client.publish("/b/one", "{\"n\":3}");
        client.publish("/b/two", "{\"n\":4}");
        assertThat(deliveries(client.connect(0))).extracting(m -> m.get("data").toString()).containsExactly("{\"n\":4}");
    }

    @Test
    @DisplayName("CometD's appended paths (/bayeux/handshake, /bayeux/connect) reach the same endpoint")
    void subPaths() throws Exception {
        BayeuxTestClient client = client();
        JsonNode reply = client.send(server.uri.resolve("/bayeux/handshake"), client.handshakeMessage()).get(0);
        client.clientId = reply.get("clientId").asText();
        assertThat(client.send(server.uri.resolve("/bayeux/connect"), client.connectMessage(0L)).get(0).get("successful").asBoolean()).isTrue();
        assertThat(client.send(server.uri.resolve("/bayeux/any/depth"), client.subscribeMessage("/x/y")).get(0).get("successful").asBoolean())
                .isTrue();
    }

    @Test
    @DisplayName("/meta/disconnect ends the session: its client id is unknown afterwards, with advice to handshake")
    void disconnectEndsTheSession() throws Exception {
        BayeuxTestClient client = client().handshake();
        client.subscribe("/d/a");
        JsonNode reply = client.send(client.message("/meta/disconnect")).get(0);
        assertThat(reply.get("successful").asBoolean()).isTrue();
        JsonNode after = client.connect(0).get(0);
        assertThat(after.get("successful").asBoolean()).isFalse();
        assertThat(after.get("error").asText()).isEqualTo("402::session_unknown");
        assertThat(after.get("advice").get("reconnect").asText()).isEqualTo("handshake");
        assertThat(server.herald.sessions().store().find(client.clientId)).isEmpty();
    }

    @Test
    @DisplayName("/service/** goes to its handler, answered to the caller alone, never broadcast")
    void services() throws Exception {
        BayeuxTestClient listener = client().handshake();
        JsonNode subscribed = listener.subscribe("/service/echo");
        assertThat(subscribed.get("successful").asBoolean()).isTrue();
        BayeuxTestClient caller = client().handshake();
        ArrayNode response = caller.send(caller.publishMessage("/service/echo", "{\"say\":\"ping\"}"));
        assertThat(response.get(0).get("successful").asBoolean()).isTrue();
        assertThat(response.get(0).has("data")).isFalse();
        assertThat(response.get(1).get("channel").asText()).isEqualTo("/service/echo");
        assertThat(response.get(1).get("data").get("echo").asText()).isEqualTo("ping");
        assertThat(response.get(1).get("data").get("from").asText()).isEqualTo(caller.clientId);
        assertThat(deliveries(listener.connect(0))).isEmpty();
        JsonNode nobody = caller.publish("/service/nobody", "{}");
        assertThat(nobody.get("successful").asBoolean()).isFalse();
        assertThat(nobody.get("error").asText()).startsWith("404:" + caller.clientId + ",/service/nobody:");
    }

    @Test
    @DisplayName("a payload that is not JSON arrives as a JSON string; the publisher's event type in ext.herald.event")
    void nonJsonPayloads() throws Exception {
        BayeuxTestClient client = client().handshake();
        client.subscribe("/p/text");
        server.herald.publish(new io.herald.api.Publication(ChannelName.of("/p/text"), "m1", "greeting",
                io.herald.api.Payload.utf8("hello \"world\""), "text/plain", java.util.Map.of()));
        server.herald.publish(new io.herald.api.Publication(ChannelName.of("/p/text"), null, null,
                io.herald.api.Payload.utf8("{broken"), "application/json", java.util.Map.of()));
        List<JsonNode> got = deliveries(client.connect(0));
        assertThat(got.get(0).get("data").asText()).isEqualTo("hello \"world\"");
        assertThat(got.get(0).get("id").asText()).isEqualTo("m1");
        assertThat(got.get(0).get("ext").get("herald").get("event").asText()).isEqualTo("greeting");
        assertThat(got.get(1).get("data").asText()).isEqualTo("{broken");
    }
}
