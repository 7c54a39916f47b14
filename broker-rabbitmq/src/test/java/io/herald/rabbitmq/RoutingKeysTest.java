package io.herald.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("RoutingKeys maps channels onto AMQP topic keys without loss")
class RoutingKeysTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/chat/room1, chat.room1",
        "/a, a",
        "/a.b/c, a%b.c",
        "/a/b.c.d, a.b%c%d",
        "/x/*, x.*",
        "/x/**, x.*.#",
        "/a.b/**, a%b.*.#",
        "/p/q/*, p.q.*",
    })
    @DisplayName("channels and patterns as keys")
    void maps(String channel, String key) {
        ChannelName name = ChannelName.of(channel);
        assertThat(RoutingKeys.of(name)).isEqualTo(key);
        if (!name.isPattern()) {
            assertThat(RoutingKeys.channelOf(key)).isEqualTo(name);
        }
    }

    @Test
    @DisplayName("random channels with every segment character map back to themselves, and distinct channels to distinct keys")
    void lossless() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        String chars = "abcXYZ019-_.!~()$@+=,";
        Set<String> channels = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder name = new StringBuilder();
            for (int s = 1 + random.nextInt(4); s > 0; s--) {
                name.append('/');
                for (int c = 1 + random.nextInt(4); c > 0; c--) {
                    name.append(chars.charAt(random.nextInt(chars.length())));
                }
            }
            ChannelName channel = ChannelName.of(name.toString());
            String key = RoutingKeys.of(channel);
            assertThat(RoutingKeys.channelOf(key)).as("seed %d", seed).isEqualTo(channel);
            assertThat(key.length()).as("key of %s (seed %d)", channel, seed).isLessThan(channel.value().length());
            if (channels.add(channel.value())) {
                assertThat(keys.add(key)).as("key %s of %s is new (seed %d)", key, channel, seed).isTrue();
            }
        }
    }
}
