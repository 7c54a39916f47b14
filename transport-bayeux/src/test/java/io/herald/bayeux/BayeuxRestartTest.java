package io.herald.bayeux;

import static io.herald.bayeux.BayeuxTestClient.deliveries;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.herald.api.ChannelName;
import io.herald.core.Connection;
import io.herald.core.ConnectionListener;
import io.herald.core.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A lost batch makes the server replace the client's core connection by one resumed from the session
 * ({@code BayeuxClient.restart}). A pattern has no cursor to resume from, so a channel it had not delivered from
 * yet (no acknowledged subscription of its own) has nothing that brings back what was published while the
 * connections were swapped: the swap must leave no moment without a pattern subscription collecting.
 */
class BayeuxRestartTest {

    /** Publishes a message to a channel of its own under {@code /pr/*} at each join or leave of the swap. */
    private static final class PublishDuringSwap implements ConnectionListener {
        volatile BayeuxTestServer server;
        volatile boolean armed;
        final List<String> published = new CopyOnWriteArrayList<>();

        @Override
        public void joined(Connection connection, ChannelName channel) {
            publish("join", channel);
        }

        @Override
        public void left(Connection connection, ChannelName channel) {
            publish("leave", channel);
        }

        private void publish(String event, ChannelName channel) {
            // Only the swap's own joins and leaves: the channels published here get subscriptions too.
            if (!armed || !Set.of("/pr/*", "/pr/a").contains(channel.value())) {
                return;
            }
            String target = "/pr/e" + published.size();
            published.add(target + " (" + event + " " + channel.value() + ")");
            server.herald.publish(ChannelName.of(target), "{\"n\":1}");
        }
    }

    @Test
    void whatIsPublishedWhileALostBatchSwapsTheConnectionReachesTheClientThroughThePattern() throws Exception {
        PublishDuringSwap swap = new PublishDuringSwap();
        try (BayeuxTestServer server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "2s"),
                new AbstractModule() {
                    @Override
                    protected void configure() {
                        Multibinder.newSetBinder(binder(), ConnectionListener.class).addBinding().toInstance(swap);
                    }
                })) {
            swap.server = server;
            BayeuxTestClient client = new BayeuxTestClient(server.bayeux());
            ObjectNode handshake = client.handshakeMessage();
            handshake.putObject("ext").put("ack", true);
            client.clientId = client.send(handshake).get(0).get("clientId").asText();
            client.send(connect(client, -1));
            client.subscribe("/pr/*");
            Map<String, List<Integer>> got = new TreeMap<>();
            List<JsonNode> notices = new ArrayList<>();

            server.herald.publish(ChannelName.of("/pr/a"), "{\"n\":1}");
            long acked = receive(client, -1, got, notices);
            server.herald.publish(ChannelName.of("/pr/a"), "{\"n\":2}");
            // This reply is lost: the next connect acknowledges the batch before it, and the server swaps the
            // connection for one resumed from the session, publishing as it goes.
            receive(client, acked, new TreeMap<>(), new ArrayList<>());
            swap.armed = true;
            acked = receive(client, acked, got, notices);
            swap.armed = false;
            assertThat(swap.published).as("the swap joined and left /pr/a and /pr/*").hasSizeGreaterThanOrEqualTo(4);
            for (int i = 0; i < 20 && got.size() < 1 + swap.published.size(); i++) {
                acked = receive(client, acked, got, notices);
            }

            assertThat(got.get("/pr/a")).as("%s", got).containsExactly(1, 2);
            for (int e = 0; e < swap.published.size(); e++) {
                assertThat(got.get("/pr/e" + e)).as("%s, received %s", swap.published.get(e), got).containsExactly(1);
            }
            // Nothing was lost, so nothing is reported lost.
            assertThat(notices).isEmpty();
        }
    }

    /** One connect acknowledging {@code acked}; records what it brought; returns the batch to acknowledge next. */
    private static long receive(BayeuxTestClient client, long acked, Map<String, List<Integer>> got,
                                List<JsonNode> notices) throws Exception {
        ArrayNode reply = client.send(connect(client, acked));
        for (JsonNode m : deliveries(reply)) {
            if (m.path("data").has("n")) {
                got.computeIfAbsent(m.get("channel").asText(), c -> new ArrayList<>()).add(m.get("data").get("n").asInt());
            } else {
                notices.add(m);
            }
        }
        for (JsonNode r : reply) {
            if ("/meta/connect".equals(r.path("channel").asText()) && r.path("ext").has("ack")) {
                return r.get("ext").get("ack").asLong();
            }
        }
        return acked;
    }

    private static ObjectNode connect(BayeuxTestClient client, long ack) {
        ObjectNode connect = client.connectMessage(0L);
        connect.putObject("ext").put("ack", ack);
        return connect;
    }
}
