package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.multibindings.Multibinder;
import io.herald.api.AccessDeniedException;
import io.herald.api.ChannelName;
import io.herald.api.Principal;
import io.herald.api.Publication;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("channels only the server publishes to")
class ServerChannelsTest {

    private static final ChannelName RESERVED = ChannelName.of("/presence/chat/room1");
    private static final ChannelName OPEN = ChannelName.of("/chat/room1");

    @Test
    @DisplayName("a client whose token grants the channel is refused, stores nothing; the server publishes; other channels are untouched")
    void onlyTheServerPublishes() {
        Principal alice = new Principal("alice", List.of(ChannelName.of("/chat/**"), ChannelName.of("/presence/**")), Map.of());
        try (Herald herald = Herald.builder()
                .module(binder -> Multibinder.newSetBinder(binder, ServerChannels.class).addBinding()
                        .toInstance(c -> c.segments().get(0).equals("presence")))
                .build().start()) {
            Engine engine = herald.engine();

            assertThatThrownBy(() -> engine.publish(alice, Publication.json(RESERVED, "{\"event\":\"join\"}")))
                    .isInstanceOf(AccessDeniedException.class).hasMessageContaining(RESERVED.value()).hasMessageContaining("alice");
            assertThat(engine.publishAsync(alice, Publication.json(RESERVED, "{}"))).as("an asynchronous publish by alice")
                    .isCompletedExceptionally();
            assertThat(engine.history(RESERVED, null, 10).messages()).as("history of %s after refused publishes", RESERVED).isEmpty();
            assertThat(engine.publish(alice, Publication.json(OPEN, "{}")).channel()).as("alice publishing elsewhere").isEqualTo(OPEN);
            assertThat(engine.publish(Principal.SERVER, Publication.json(RESERVED, "{}")).position().offset())
                    .as("the server publishing to %s", RESERVED).isEqualTo(1);
        }
    }
}
