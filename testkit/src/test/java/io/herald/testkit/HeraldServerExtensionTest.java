package io.herald.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.google.inject.AbstractModule;
import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.core.Herald;
import io.herald.core.config.CoreSettings;
import io.herald.core.memory.MemoryBroker;
import io.herald.core.memory.MemoryStoreModule;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;

@DisplayName("HeraldServerExtension runs an embedded Herald on a free port")
class HeraldServerExtensionTest {

    @RegisterExtension
    static final HeraldServerExtension SERVER = HeraldServerExtension.builder()
            .store(new MemoryStoreModule())
            .module(new PingModule())
            .setting(CoreSettings.HISTORY_SIZE, "3")
            .build();

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> get(java.net.URI uri) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("a real HTTP request reaches an endpoint the test contributed")
    void requestReachesTheEndpoint() throws Exception {
        int before = PingModule.REQUESTS.size();

        HttpResponse<String> response = get(SERVER.uri("/ping"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("pong");
        assertThat(PingModule.REQUESTS.subList(before, PingModule.REQUESTS.size())).containsExactly("/ping");
    }

    @Test
    @DisplayName("listens on a free port of 127.0.0.1 and applies the settings given")
    void freePortAndSettings() {
        assertThat(SERVER.port()).isPositive().isNotEqualTo(8080);
        assertThat(SERVER.uri().toString()).isEqualTo("http://127.0.0.1:" + SERVER.port());
        assertThat(SERVER.settings().get(io.herald.http.HttpSettings.HOST)).isEqualTo("127.0.0.1");
        ChannelName channel = ChannelName.of("/ext/history");
        for (int i = 0; i < 5; i++) {
            SERVER.herald().publish(channel, "{}");
        }
        assertThat(SERVER.herald().engine().history(channel, null, 10).messages()).hasSize(3);
        assertThatThrownBy(() -> SERVER.uri("ping")).isInstanceOf(IllegalArgumentException.class);
    }

    @Nested
    @DisplayName("in a nested class")
    class InANestedClass {

        @Test
        @DisplayName("the server registered on the outer class's static field is running")
        void sameServer() throws Exception {
            assertThat(SERVER.herald().isRunning()).isTrue();
            assertThat(get(SERVER.uri("/ping")).statusCode()).isEqualTo(200);
        }
    }

    @Nested
    @DisplayName("with a broker of the test's choosing")
    class WithABroker {

        private final MemoryBroker chosen = new MemoryBroker();

        @RegisterExtension
        final HeraldServerExtension server = HeraldServerExtension.builder()
                .broker(new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(Broker.class).toInstance(chosen);
                    }
                })
                .build();

        @Test
        @DisplayName("the broker given replaces the store's own, and messages go through it")
        void brokerGiven() {
            assertThat(server.herald().injector().getInstance(Broker.class)).isSameAs(chosen);
            List<Message> heard = new CopyOnWriteArrayList<>();
            ChannelName channel = ChannelName.of("/ext/broker");
            chosen.subscribe(channel, heard::add);
            server.herald().publish(channel, "{\"n\":1}");
            assertThat(heard).extracting(m -> m.payload().utf8()).containsExactly("{\"n\":1}");
        }
    }

    @Nested
    @DisplayName("lifecycle")
    class Lifecycle {

        @BeforeEach
        void reset() {
            ServerUsages.reset();
        }

        @Test
        @DisplayName("on an instance field: a fresh server per test, each stopped after its test")
        void perTest() {
            EngineTestKit.engine("junit-jupiter").selectors(selectClass(ServerUsages.PerTest.class)).execute()
                    .testEvents().assertStatistics(stats -> stats.succeeded(2).failed(0));

            assertThat(ServerUsages.SEEN).hasSize(2).doesNotHaveDuplicates();
            assertThat(ServerUsages.SEEN).noneMatch(Herald::isRunning);
            ServerUsages.PORTS.forEach(HeraldServerExtensionTest::assertClosed);
        }

        @Test
        @DisplayName("on a static field: one server for the class, stopped after it")
        void perClass() {
            EngineTestKit.engine("junit-jupiter").selectors(selectClass(ServerUsages.PerClass.class)).execute()
                    .testEvents().assertStatistics(stats -> stats.succeeded(2).failed(0));

            assertThat(ServerUsages.SEEN).hasSize(2);
            assertThat(ServerUsages.SEEN.get(0)).isSameAs(ServerUsages.SEEN.get(1));
            assertThat(ServerUsages.SEEN.get(0).isRunning()).isFalse();
            assertClosed(ServerUsages.PORTS.get(0));
        }

        @Test
        @DisplayName("outside a test it says it is not running")
        void notRegistered() {
            HeraldServerExtension unused = HeraldServerExtension.builder().build();
            assertThatThrownBy(unused::herald).isInstanceOf(IllegalStateException.class).hasMessageContaining("@RegisterExtension");
            assertThatThrownBy(unused::port).isInstanceOf(IllegalStateException.class);
        }
    }

    private static void assertClosed(int port) {
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).as("connecting to port %d after the server stopped", port)
                .isInstanceOf(ConnectException.class);
    }
}
