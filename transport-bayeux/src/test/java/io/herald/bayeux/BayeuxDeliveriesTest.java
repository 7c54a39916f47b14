package io.herald.bayeux;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Position;
import io.herald.api.Publication;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The shared encoding of deliveries: one encoding per message for every subscriber. */
class BayeuxDeliveriesTest {

    private static Message message(String channel, long offset) {
        return new Message(ChannelName.of(channel), new Position("e1", offset), "m" + offset, null,
                Payload.copyOf(("{\"n\":" + offset + "}").getBytes(StandardCharsets.UTF_8)), Publication.JSON, Map.of(),
                Instant.EPOCH);
    }

    @Test
    @DisplayName("subscribers spread over the last messages of channels (lagging clients) share one encoding of each")
    void recentMessagesAreEncodedOnce() {
        BayeuxDeliveries deliveries = new BayeuxDeliveries();
        List<Message> recent = new ArrayList<>();
        for (long offset = 1; offset <= BayeuxDeliveries.SLOTS / 2; offset++) {
            recent.add(message("/d/a", offset));
        }
        List<byte[]> first = recent.stream().map(deliveries::message).toList();
        for (int i = 0; i < recent.size(); i++) {
            assertThat(deliveries.message(recent.get(i))).as("message %d", i).isSameAs(first.get(i));
        }
        assertThat(new String(first.get(0), StandardCharsets.UTF_8))
                .isEqualTo("{\"channel\":\"/d/a\",\"data\":{\"n\":1},\"id\":\"m1\",\"ext\":{\"herald\":{\"position\":\"e1:1\"}}}");
    }

    @Test
    @DisplayName("rooms whose names differ in the last character, published together, each keep their last messages cached")
    void roomsPublishedTogetherDoNotEvictEachOther() {
        BayeuxDeliveries deliveries = new BayeuxDeliveries();
        List<Message> recent = new ArrayList<>();
        // The chat shape of the Bayeux benchmark: each tick, one message into each of 20 rooms; members are still
        // being written the last few ticks' messages when the next ones are published.
        for (long offset = 1; offset <= 4; offset++) {
            for (int room = 0; room < 20; room++) {
                recent.add(message("/bench/chat/" + room, offset));
            }
        }
        List<byte[]> first = recent.stream().map(deliveries::message).toList();
        for (int i = 0; i < recent.size(); i++) {
            assertThat(deliveries.message(recent.get(i))).as("%s at %s", recent.get(i).channel(), recent.get(i).position()).isSameAs(first.get(i));
        }
    }

    @Test
    @DisplayName("a history replay of a message (another instance, same channel and position) hits the live copy's encoding")
    void replayedCopyHits() {
        BayeuxDeliveries deliveries = new BayeuxDeliveries();
        byte[] live = deliveries.message(message("/d/b", 7));
        assertThat(deliveries.message(message("/d/b", 7))).isSameAs(live);
        assertThat(deliveries.message(message("/d/c", 7))).isNotSameAs(live);
    }
}
