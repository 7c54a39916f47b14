package io.herald.examples.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.client.IdentityStore;
import io.herald.core.config.Settings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example subscriber as a user runs it, through {@code examples/java-client/subscribe}: killed with SIGKILL
 * and started again on its identity file, it resumes its session and prints everything published while it was
 * down, exactly once; SIGTERM stops it with exit status 0.
 */
class SubscribeProcessRestartIT {

    private static final Path SCRIPT = Path.of(System.getProperty("subscribe.script", "subscribe")).toAbsolutePath();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A subscriber process and what it printed. */
    private static final class Subscriber {
        final Process process;
        final List<JsonNode> lines = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();

        Subscriber(String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command);
            // The script runs `java` from the PATH: the JVM running this test.
            builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + java.io.File.pathSeparator
                    + System.getenv("PATH"));
            process = builder.start();
            read(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true);
            read(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false);
        }

        private void read(BufferedReader reader, boolean json) {
            Thread t = new Thread(() -> {
                try {
                    for (String line; (line = reader.readLine()) != null; ) {
                        if (json) {
                            lines.add(JSON.readTree(line));
                        } else {
                            errors.add(line);
                        }
                    }
                } catch (Exception e) {
                    // the process is gone
                }
            });
            t.setDaemon(true);
            t.start();
        }

        List<String> data() {
            return lines.stream().map(l -> l.get("data").toString()).toList();
        }
    }

    @Test
    void aClientKilledWithSigkillResumesItsSessionFromTheIdentityFile(@TempDir Path dir) throws Exception {
        Path identity = dir.resolve("identity.json");
        try (TestHerald server = new TestHerald(Settings.defaults(), null)) {
            String[] args = {"--url", server.bayeux().toString(), "--channel", "/proc/a", "--identity-file", identity.toString()};
            Subscriber first = new Subscriber(args);
            List<String> expected = new ArrayList<>();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> first.errors.contains("subscribed /proc/a"));
                Position last = null;
                for (int i = 0; i < 5; i++) {
                    last = server.herald.publish(ChannelName.of("/proc/a"), "{\"n\":" + i + "}").position();
                    expected.add("{\"n\":" + i + "}");
                }
                await().until(() -> first.lines.size() == 5);
                Position saved = last;
                await().until(() -> saved.equals(IdentityStore.file(identity).load().positions().get("/proc/a")));
            } finally {
                first.process.destroyForcibly(); // SIGKILL: no goodbye, no last save
                first.process.waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(first.data()).containsExactlyElementsOf(expected);
            for (int i = 5; i < 10; i++) {
                server.herald.publish(ChannelName.of("/proc/a"), "{\"n\":" + i + "}");
            }
            Subscriber second = new Subscriber(args);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> second.lines.size() >= 5);
                second.process.destroy(); // SIGTERM: stop() and exit 0
                assertThat(second.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(second.process.exitValue()).isZero();
            } finally {
                second.process.destroyForcibly();
            }
            assertThat(second.data()).containsExactly("{\"n\":5}", "{\"n\":6}", "{\"n\":7}", "{\"n\":8}", "{\"n\":9}");
            assertThat(second.lines).allSatisfy(l -> assertThat(l.get("redelivered").asBoolean()).isFalse());
            assertThat(second.lines.get(0).get("position").get("offset").asLong()).isEqualTo(6);
        }
    }
}
