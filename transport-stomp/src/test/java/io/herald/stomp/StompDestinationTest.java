package io.herald.stomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.api.ChannelName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Destinations onto the one channel space, and the wildcard forms Herald refuses, by name. */
class StompDestinationTest {

    @ParameterizedTest
    @CsvSource({
            "/topic/chat.room1, /chat/room1",
            "/topic/chat.*, /chat/*",
            "/topic/chat.#, /chat/**",
            "/topic/a.b.*, /a/b/*",
            "/exchange/chat/room1.x, /chat/room1/x",
            "/exchange/chat/*, /chat/*",
            "/exchange/chat/#, /chat/**",
            "/exchange/amq.topic/a.#, /a/**",
            "/queue/jobs, /queue/jobs"})
    void mapsOntoChannels(String destination, String channel) {
        assertThat(StompDestination.parse(destination).channel()).isEqualTo(ChannelName.of(channel));
    }

    @ParameterizedTest
    @CsvSource({
            "/topic/chat.#, /chat",
            "/topic/a.b.#, /a/b",
            "/exchange/chat/#, /chat",
            "/exchange/chat/a.#, /chat/a",
            "/exchange/amq.topic/a.#, /a"})
    void aLastHashAlsoMatchesZeroWordsAsRabbitMqDoes(String destination, String channel) {
        assertThat(StompDestination.parse(destination).zeroWords()).isEqualTo(ChannelName.of(channel));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/topic/chat.*", "/topic/chat.room", "/exchange/chat/*", "/exchange/chat/a", "/queue/jobs"})
    void noOtherDestinationTakesAZeroWordChannel(String destination) {
        assertThat(StompDestination.parse(destination).zeroWords()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/topic/a.**", "/topic/**", "/exchange/chat/**"})
    void aDoubleStarWordIsRefusedRatherThanTakenForHeraldsWildcard(String destination) {
        assertThatThrownBy(() -> StompDestination.parse(destination))
                .isInstanceOf(StompProtocolException.class)
                .hasMessageContaining("'" + destination + "'")
                .hasMessageContaining("'#' matches any number of words");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/topic/a.*.c", "/topic/a.#.c", "/topic/#.c", "/topic/*.c", "/topic/#", "/topic/*",
            "/exchange/chat/a.*.c", "/exchange/chat/#.c", "/exchange/amq.topic/*.orange.*"})
    void wildcardsBeforeTheLastWordAreRefusedNamingTheDestination(String destination) {
        assertThatThrownBy(() -> StompDestination.parse(destination))
                .isInstanceOf(StompProtocolException.class)
                .hasMessageContaining("unsupported destination '" + destination + "'")
                .hasMessageContaining("only as the last word")
                .hasMessageContaining("has no Herald channel pattern");
    }
}
