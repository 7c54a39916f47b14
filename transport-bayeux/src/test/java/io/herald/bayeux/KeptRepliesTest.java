package io.herald.bayeux;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A held connect's replies wait as bytes and come back as the same JSON, each time a fresh tree to change. (Not
 * equal trees: a small number read back is an int node where a long node was written; the JSON is the same.)
 */
class KeptRepliesTest {

    private static ObjectNode reply(String id) {
        ObjectNode reply = JsonNodeFactory.instance.objectNode();
        reply.put("channel", "/meta/connect");
        reply.put("id", id);
        reply.put("successful", true);
        reply.put("clientId", "c1");
        ObjectNode advice = reply.putObject("advice");
        advice.put("reconnect", "retry");
        advice.put("interval", 0L);
        advice.put("timeout", 30_000L);
        advice.put("maxInterval", 10_000_000_000L);
        reply.putObject("ext").putObject("herald").put("resumed", false);
        return reply;
    }

    @Test
    void oneReplyComesBackEqualAndWritesTheSameBytes() {
        ObjectNode original = reply("7");
        byte[] kept = BayeuxCodec.tree(original);

        List<ObjectNode> back = BayeuxCodec.objects(kept);

        assertThat(back).hasSize(1);
        assertThat(BayeuxCodec.tree(back.get(0))).isEqualTo(kept);
        assertThat(BayeuxCodec.encode(back, List.of())).isEqualTo(BayeuxCodec.encode(List.of(original), List.of()));
        assertThat(back.get(0).path("advice").path("maxInterval").asLong()).isEqualTo(10_000_000_000L);
    }

    @Test
    void severalRepliesComeBackInOrder() {
        List<ObjectNode> replies = List.of(reply("1"), reply("2"), reply("3"));

        List<ObjectNode> back = BayeuxCodec.objects(BayeuxCodec.tree(replies));

        assertThat(back).extracting(r -> r.path("id").asText()).containsExactly("1", "2", "3");
        assertThat(BayeuxCodec.encode(back, List.of())).isEqualTo(BayeuxCodec.encode(replies, List.of()));
    }

    @Test
    void eachReadIsAFreshTreeSoChangingOneLeavesWhatIsKept() {
        byte[] kept = BayeuxCodec.tree(reply("7"));

        BayeuxCodec.objects(kept).get(0).with("ext").put("ack", 3);

        assertThat(BayeuxCodec.objects(kept).get(0).path("ext").has("ack")).isFalse();
    }
}
