package io.herald.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.Herald;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Test classes that use {@link HeraldServerExtension}, run by {@link HeraldServerExtensionTest} through the
 * JUnit Platform so that it can check what happened before and after them. Not run on their own (their names
 * end in neither Test nor Tests).
 */
final class ServerUsages {

    /** The Herald each test saw, in order. */
    static final List<Herald> SEEN = new CopyOnWriteArrayList<>();
    /** The port each test saw, in order. */
    static final List<Integer> PORTS = new CopyOnWriteArrayList<>();

    private ServerUsages() {
    }

    static void reset() {
        SEEN.clear();
        PORTS.clear();
    }

    private static void record(HeraldServerExtension server) {
        assertThat(server.herald().isRunning()).isTrue();
        SEEN.add(server.herald());
        PORTS.add(server.port());
    }

    /** An instance field: a server per test. */
    static class PerTest {
        @RegisterExtension
        final HeraldServerExtension server = HeraldServerExtension.builder().module(new PingModule()).build();

        @Test
        void first() {
            record(server);
        }

        @Test
        void second() {
            record(server);
        }
    }

    /** A static field: one server for the class. */
    static class PerClass {
        @RegisterExtension
        static final HeraldServerExtension SERVER = HeraldServerExtension.builder().module(new PingModule()).build();

        @Test
        void first() {
            record(SERVER);
        }

        @Test
        void second() {
            record(SERVER);
        }
    }
}
