package io.herald.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.api.AccessDeniedException;
import io.herald.api.ChannelName;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.core.Herald;
import io.herald.core.config.ConfigurationException;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("the presence extension's settings and assembly")
class PresenceSettingsTest {

    private static final Settings NO_TRANSPORTS = Settings.defaults().with(CoreSettings.TRANSPORTS, "");

    @Test
    @DisplayName("--extensions presence adds it: connections are present, companions are the server's")
    void selectedByName() {
        Settings settings = NO_TRANSPORTS.with(CoreSettings.EXTENSIONS, "presence").with(PresenceSettings.CHANNELS, "/chat/*");
        try (Herald herald = Herald.builder().settings(settings).pluginsFromSettings().build().start()) {
            PresenceService presence = herald.injector().getInstance(PresenceService.class);
            SharedMemoryCluster.connect(herald, new Principal("alice", null, Map.of()), ChannelName.of("/chat/room1"));

            assertThat(presence.users(ChannelName.of("/chat/room1"))).as("users of /chat/room1").hasSize(1);
            assertThat(presence.tracks(ChannelName.of("/chat/a/b"))).as("presence on /chat/a/b, outside /chat/*").isFalse();
            Principal granted = new Principal("mallory", List.of(ChannelName.of("/presence/**")), Map.of());
            assertThatThrownBy(() -> herald.engine().publish(granted, Publication.json(ChannelName.of("/presence/chat/room1"),
                    "{\"event\":\"leave\",\"user\":\"alice\"}")))
                    .as("a client forging a leave on the companion channel").isInstanceOf(AccessDeniedException.class);
        }
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "presence.channels | /presence/** | '/presence/**' is under /presence/",
            "presence.channels | /chat/**/x   | '/chat/**/x' is not a channel or pattern",
            "presence.channels | /meta/x      | '/meta/x' is reserved",
            "presence.ttl      | 100ms        | it must be at least 300ms",
            "presence.sweep    | 0            | it must be positive",
            "presence.grace    | soon         | is not a duration"})
    @DisplayName("bad values stop the assembly with one line naming the setting")
    void badValues(String key, String value, String message) {
        Settings settings = NO_TRANSPORTS.with(CoreSettings.EXTENSIONS, "presence").with(PresenceSettings.all().stream()
                .filter(s -> s.key().equals(key)).findFirst().orElseThrow(), value);
        assertThatThrownBy(() -> Herald.builder().settings(settings).pluginsFromSettings().build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(key)
                .hasMessageContaining(message);
    }
}
