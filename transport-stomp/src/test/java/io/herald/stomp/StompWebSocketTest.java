package io.herald.stomp;

import static io.herald.stomp.StompTestClient.headers;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** STOMP over WebSocket against a running Herald, with Jetty's WebSocket client. */
class StompWebSocketTest {

    static StompServer server;

    @BeforeAll
    static void start() {
        server = new StompServer(Settings.defaults().with(CoreSettings.PUBLISH_MAX_PAYLOAD, "1MiB"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Nested
    @DisplayName("the WebSocket handshake")
    class Handshake {

        @Test
        void echoesTheHighestOfferedSubprotocolWhateverTheOrder() throws Exception {
            try (StompTestClient c = new StompTestClient(server.ws, "v10.stomp", "v11.stomp", "v12.stomp")) {
                assertThat(c.subprotocol()).isEqualTo("v12.stomp");
            }
            try (StompTestClient c = new StompTestClient(server.ws, "v11.stomp", "v10.stomp")) {
                assertThat(c.subprotocol()).isEqualTo("v11.stomp");
            }
        }

        @Test
        void acceptsAClientThatOffersNoSubprotocol() throws Exception {
            try (StompTestClient c = new StompTestClient(server.ws)) {
                assertThat(c.subprotocol()).isNull();
                c.send("CONNECT", headers("accept-version", "1.1"));
                assertThat(c.next("CONNECTED").header("version")).isEqualTo("1.1");
            }
        }

        @Test
        void aPlainGetIsA400() throws Exception {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server.http + "/stomp")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("upgrade");
        }
    }

    @Nested
    @DisplayName("CONNECT")
    class Connect {

        @Test
        void connectedCarriesVersionHeartBeatServerAndSession() throws Exception {
            try (StompTestClient c = new StompTestClient(server.ws, "v12.stomp")) {
                c.send("CONNECT", headers("accept-version", "1.2,1.1,1.0", "heart-beat", "10000,10000", "login", "guest",
                        "passcode", "guest"));
                StompFrame connected = c.next("CONNECTED");
                assertThat(connected.header("version")).isEqualTo("1.2");
                assertThat(connected.header("heart-beat")).isEqualTo("10000,10000");
                assertThat(connected.header("server")).isEqualTo("Herald");
                assertThat(connected.header("session")).isNotBlank();
            }
        }

        @Test
        void stompFrameIsConnectAndNoAcceptVersionMeans10() throws Exception {
            try (StompTestClient c = new StompTestClient(server.ws)) {
                c.send("STOMP", headers("host", "/"));
                StompFrame connected = c.next("CONNECTED");
                assertThat(connected.header("version")).isEqualTo("1.0");
                assertThat(connected.header("heart-beat")).isEqualTo("0,0");
            }
        }

        @Test
        void noCommonVersionIsAnErrorNamingTheSupportedOnes() throws Exception {
            try (StompTestClient c = new StompTestClient(server.ws)) {
                c.send("CONNECT", headers("accept-version", "2.0,3.1"));
                StompFrame error = c.next("ERROR");
                assertThat(error.header("version")).isEqualTo("1.0,1.1,1.2");
                assertThat(error.header("message")).contains("Supported protocol versions");
                c.awaitClosed();
            }
        }

        @Test
        void framesBeforeConnectAreRefused() throws Exception {
            try (StompTestClient c = new StompTestClient(server.ws)) {
                c.send("SUBSCRIBE", headers("id", "1", "destination", "/topic/a", "receipt", "r1"));
                StompFrame error = c.next("ERROR");
                assertThat(error.header("message")).isEqualTo("You must log in using CONNECT first");
                assertThat(error.header("receipt-id")).isEqualTo("r1");
                c.awaitClosed();
            }
        }

        @Test
        void aSecondConnectIsRefused() throws Exception {
            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.send("CONNECT", headers("accept-version", "1.2"));
                assertThat(c.next("ERROR").header("message")).isEqualTo("already connected");
                c.awaitClosed();
            }
        }
    }

    @Nested
    @DisplayName("SUBSCRIBE and MESSAGE")
    class Subscribe {

        @Test
        void messageCarriesSubscriptionIdsDestinationAndPosition() throws Exception {
            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.subscribe("sub-0", "/topic/chat.room1");
                var published = server.herald.publish(ChannelName.of("/chat/room1"), "{\"text\":\"hi\"}");
                StompFrame message = c.next("MESSAGE");
                assertThat(message.header("subscription")).isEqualTo("sub-0");
                assertThat(message.header("destination")).isEqualTo("/topic/chat.room1");
                assertThat(message.header("message-id")).isNotBlank();
                assertThat(message.header("ack")).as("auto mode has no ack header").isNull();
                assertThat(message.header("redelivered")).isEqualTo("false");
                assertThat(message.header("herald-position")).isEqualTo(published.position().epoch() + ":" + published.offset());
                assertThat(message.header("content-type")).isEqualTo("application/json");
                assertThat(message.text()).isEqualTo("{\"text\":\"hi\"}");
                assertThat(c.messageKinds).contains(true);
            }
        }

        @Test
        void wildcardsDeliverWithTheConcreteDestination() throws Exception {
            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.subscribe("one", "/topic/wild.*");
                c.subscribe("any", "/topic/deep.#");
                c.subscribe("ex", "/exchange/wild/x");
                server.herald.publish(ChannelName.of("/wild/x"), "1");
                server.herald.publish(ChannelName.of("/deep/a/b"), "2");
                java.util.List<StompFrame> got = java.util.List.of(c.next("MESSAGE"), c.next("MESSAGE"), c.next("MESSAGE"));
                assertThat(got).extracting(f -> f.header("subscription") + " " + f.header("destination") + " " + f.text())
                        .containsExactlyInAnyOrder("one /topic/wild.x 1", "ex /exchange/wild/x 1", "any /topic/deep.a.b 2");
            }
        }

        @Test
        void aLastHashMatchesZeroOrMoreWordsAsOnRabbitMq() throws Exception {
            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.subscribe("t", "/topic/zero.#");
                c.subscribe("x", "/exchange/zex/#");
                server.herald.publish(ChannelName.of("/zero"), "1");
                server.herald.publish(ChannelName.of("/zero/a"), "2");
                server.herald.publish(ChannelName.of("/zero/a/b"), "3");
                server.herald.publish(ChannelName.of("/zero"), "4");
                server.herald.publish(ChannelName.of("/zeroth"), "not a match");
                server.herald.publish(ChannelName.of("/zex"), "5");
                java.util.List<StompFrame> got = new java.util.ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    got.add(c.next("MESSAGE"));
                }
                assertThat(got).extracting(f -> f.header("subscription") + " " + f.header("destination") + " " + f.text())
                        .containsExactlyInAnyOrder("t /topic/zero 1", "t /topic/zero.a 2", "t /topic/zero.a.b 3", "t /topic/zero 4",
                                "x /exchange/zex 5");
                assertThat(got).filteredOn(f -> "/topic/zero".equals(f.header("destination"))).extracting(StompFrame::text)
                        .as("one channel's messages in order").containsExactly("1", "4");
                c.assertNothingWithin(Duration.ofMillis(300));

                c.sendAndAwaitReceipt("UNSUBSCRIBE", headers("id", "t"), "");
                server.herald.publish(ChannelName.of("/zero"), "after");
                server.herald.publish(ChannelName.of("/zero/a"), "after");
                c.assertNothingWithin(Duration.ofMillis(300));
            }
        }

        @Test
        void unsubscribeStopsDelivery() throws Exception {
            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.subscribe("s", "/topic/unsub");
                c.sendAndAwaitReceipt("UNSUBSCRIBE", headers("id", "s"), "");
                server.herald.publish(ChannelName.of("/unsub"), "1");
                c.assertNothingWithin(Duration.ofMillis(300));
            }
        }

        @Test
        void resumeFromAPositionReplaysWhatFollowsIt() throws Exception {
            var first = server.herald.publish(ChannelName.of("/resume/a"), "1");
            server.herald.publish(ChannelName.of("/resume/a"), "2");
            server.herald.publish(ChannelName.of("/resume/a"), "3");
            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.subscribe("s", "/topic/resume.a", "herald-resume-from", first.position().toString());
                assertThat(c.next("MESSAGE").text()).isEqualTo("2");
                assertThat(c.next("MESSAGE").text()).isEqualTo("3");
            }
        }
    }

    @Nested
    @DisplayName("SEND")
    class Send {

        @Test
        void publishesWithHeadersPassedThroughToEverySubscriberTheSenderIncluded() throws Exception {
            try (StompTestClient sender = StompTestClient.connected(server.ws);
                 StompTestClient other = StompTestClient.connected(server.ws)) {
                sender.subscribe("mine", "/topic/send.a");
                other.subscribe("theirs", "/topic/send.a");
                sender.sendAndAwaitReceipt("SEND", headers("destination", "/topic/send.a", "content-type", "text/plain",
                        "persistent", "true", "cust", "f:o:o\nbar\\baz"), "héllo");
                for (StompTestClient c : java.util.List.of(sender, other)) {
                    StompFrame message = c.next("MESSAGE");
                    assertThat(message.text()).isEqualTo("héllo");
                    assertThat(message.header("content-type")).isEqualTo("text/plain");
                    assertThat(message.header("persistent")).isEqualTo("true");
                    assertThat(message.header("cust")).isEqualTo("f:o:o\nbar\\baz");
                }
                assertThat(server.herald.engine().history(ChannelName.of("/send/a"), null, 10).messages()).hasSize(1);
            }
        }

        @Test
        void binaryBodiesTravelInBinaryMessages() throws Exception {
            byte[] body = {0, 1, 2, (byte) 0xff, 0, 'x'};
            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.subscribe("b", "/topic/bin");
                c.messageKinds.clear();
                c.sendRaw(StompFrameEncoder.encode(new StompFrame("SEND", headers("destination", "/topic/bin",
                        "content-type", "application/octet-stream"), body), StompVersion.V1_2), true);
                StompFrame message = c.next("MESSAGE");
                assertThat(message.body()).isEqualTo(body);
                assertThat(c.messageKinds.poll()).as("binary WebSocket message").isFalse();
            }
        }

        @Test
        void aLargeBodyRoundTrips() throws Exception {
            String body = "x".repeat(1000 * 1024);
            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.subscribe("l", "/topic/large");
                c.send("SEND", headers("destination", "/topic/large"), body);
                assertThat(c.next("MESSAGE").text()).isEqualTo(body);
            }
        }

        @Test
        void sendToAWildcardIsRefusedAndPublishesNothing() throws Exception {
            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.send("SEND", headers("destination", "/topic/nowhere.*", "receipt", "r"), "x");
                StompFrame error = c.next("ERROR");
                assertThat(error.header("message")).contains("wildcard");
                assertThat(error.header("receipt-id")).isEqualTo("r");
                c.awaitClosed();
            }
        }
    }

    @Nested
    @DisplayName("ERROR then close, and other connections carry on")
    class Errors {

        @Test
        void malformedFrameUnknownCommandAndBadDestination() throws Exception {
            try (StompTestClient healthy = StompTestClient.connected(server.ws)) {
                healthy.subscribe("h", "/topic/healthy");
                for (String raw : new String[] {"SEND\ndestination:/topic/a\ncontent-length:3\n\nabcd\0",
                        "FROB\n\n\0", "SUBSCRIBE\nid:1\ndestination:/nowhere\n\n\0", "SEND\nnocolon\n\n\0",
                        "SUBSCRIBE\nid:1\ndestination:/topic/meta.x\nack:client\n\n\0"}) {
                    try (StompTestClient c = StompTestClient.connected(server.ws)) {
                        c.sendRaw(raw);
                        StompFrame error = c.next("ERROR");
                        assertThat(error.header("message")).as(raw).isNotBlank();
                        c.awaitClosed();
                    }
                }
                server.herald.publish(ChannelName.of("/healthy"), "ok");
                assertThat(healthy.next("MESSAGE").text()).isEqualTo("ok");
            }
        }

        @Test
        void reservedChannelIsRefusedAndNothingStaysSubscribed() throws Exception {
            long before = server.herald.engine().stats().subscriptions();
            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.send("SUBSCRIBE", headers("id", "m", "destination", "/topic/meta.x"));
                assertThat(c.next("ERROR").header("message")).contains("reserved");
                c.awaitClosed();
            }
            org.awaitility.Awaitility.await().untilAsserted(() ->
                    assertThat(server.herald.engine().stats().subscriptions()).isEqualTo(before));
        }

        @Test
        void aWildcardBeforeTheLastWordIsRefusedNamingTheDestination() throws Exception {
            long before = server.herald.engine().stats().subscriptions();
            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.subscribe("ok", "/topic/fine.*");
                c.send("SUBSCRIBE", headers("id", "mid", "destination", "/topic/stocks.*.nyse", "receipt", "r"));
                StompFrame error = c.next("ERROR");
                assertThat(error.header("message")).startsWith("unsupported destination '/topic/stocks.*.nyse'");
                assertThat(error.header("receipt-id")).isEqualTo("r");
                c.awaitClosed();
            }
            org.awaitility.Awaitility.await().untilAsserted(() ->
                    assertThat(server.herald.engine().stats().subscriptions()).isEqualTo(before));
        }

        @Test
        void oversizedFrameIsRefused() throws Exception {
            try (StompServer small = new StompServer(Settings.defaults().with(StompSettings.MAX_FRAME, "2KiB"));
                 StompTestClient c = StompTestClient.connected(small.ws)) {
                c.send("SEND", headers("destination", "/topic/big"), "y".repeat(4096));
                assertThat(c.next("ERROR").header("message")).isEqualTo("frame larger than 2048 bytes");
                c.awaitClosed();
            }
        }

        @Test
        void aPayloadOverThePublishLimitIsRefused() throws Exception {
            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.send("SEND", headers("destination", "/topic/limit"), "z".repeat(1024 * 1024 + 1));
                assertThat(c.next("ERROR").header("message")).contains("limit");
                c.awaitClosed();
            }
            assertThat(server.herald.engine().history(ChannelName.of("/limit"), null, 10).messages()).isEmpty();
        }
    }

    @Nested
    @DisplayName("RECEIPT and DISCONNECT")
    class Disconnect {

        @Test
        void disconnectIsAnsweredWithItsReceiptThenClosed() throws Exception {
            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.send("DISCONNECT", headers("receipt", "close-1"));
                assertThat(c.next("RECEIPT").header("receipt-id")).isEqualTo("close-1");
                c.awaitClosed();
            }
            org.awaitility.Awaitility.await().untilAsserted(() -> assertThat(server.transport().connected()).isZero());
        }

        @Test
        void disconnectWithoutReceiptStillAnswersTheFramesBeforeIt() throws Exception {
            try (StompTestClient c = StompTestClient.connected(server.ws)) {
                c.send("SUBSCRIBE", headers("id", "s", "destination", "/topic/bye", "receipt", "before"));
                c.send("DISCONNECT", headers());
                assertThat(c.next("RECEIPT").header("receipt-id")).isEqualTo("before");
                c.awaitClosed();
            }
        }
    }

    @Nested
    @DisplayName("heart-beats")
    class HeartBeats {

        @Test
        void theServerBeatsAndClosesASilentClient() throws Exception {
            try (StompServer fast = new StompServer(Settings.defaults().with(StompSettings.HEARTBEAT, "200ms"));
                 StompTestClient c = new StompTestClient(fast.ws, "v12.stomp")) {
                c.send("CONNECT", headers("accept-version", "1.2", "heart-beat", "200,200"));
                assertThat(c.next("CONNECTED").header("heart-beat")).isEqualTo("200,200");
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> c.heartbeats >= 2);
                // The client never beats: after twice the interval the server closes it.
                c.awaitClosed();
            }
        }

        @Test
        void aClientThatBeatsStaysConnected() throws Exception {
            try (StompServer fast = new StompServer(Settings.defaults().with(StompSettings.HEARTBEAT, "200ms"));
                 StompTestClient c = new StompTestClient(fast.ws, "v12.stomp")) {
                c.send("CONNECT", headers("accept-version", "1.2", "heart-beat", "200,0"));
                assertThat(c.next("CONNECTED").header("heart-beat")).isEqualTo("0,200");
                long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                while (System.nanoTime() < until) {
                    c.sendRaw("\n");
                    assertThat(c.closed.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)).isFalse();
                }
                assertThat(c.heartbeats).as("the client asked for none").isZero();
            }
        }
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
