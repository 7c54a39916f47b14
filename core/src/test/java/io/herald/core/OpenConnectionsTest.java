package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class OpenConnectionsTest {

    @Test
    void stoppingClosesTheDoorAndEndsEveryOpenConnection() {
        List<String> ended = new CopyOnWriteArrayList<>();
        OpenConnections<String> open = new OpenConnections<>(ended::add);
        assertThat(open.accepting()).isFalse();
        open.start();
        assertThat(open.accepting()).isTrue();
        open.add("a");
        open.add("b");
        open.add("c");
        open.remove("b");
        assertThat(open.size()).isEqualTo(2);
        assertThat(open).containsExactlyInAnyOrder("a", "c");

        open.stop();
        assertThat(open.accepting()).isFalse();
        assertThat(ended).containsExactlyInAnyOrder("a", "c");
    }
}
