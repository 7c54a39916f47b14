package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.api.Position;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backoff bounds (seeded, no timing) and the identity stores. */
class BackoffAndIdentityTest {

    @Test
    void fullJitterStaysUnderTheExponentialCeilingAndTheMax() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new Random(42));
        assertThat(backoff.ceilingMillis(0)).isEqualTo(100);
        assertThat(backoff.ceilingMillis(3)).isEqualTo(800);
        assertThat(backoff.ceilingMillis(6)).isEqualTo(5000);
        assertThat(backoff.ceilingMillis(1000)).isEqualTo(5000);
        long below = 0;
        for (int attempt = 0; attempt < 40; attempt++) {
            for (int i = 0; i < 200; i++) {
                long d = backoff.delayMillis(attempt);
                assertThat(d).isBetween(0L, backoff.ceilingMillis(attempt));
                if (d < backoff.ceilingMillis(attempt) / 2) {
                    below++;
                }
            }
        }
        // Full jitter spreads delays over the whole range: about half fall in the lower half.
        assertThat(below).isBetween(3200L, 4800L);
        Backoff same = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new Random(7));
        Backoff again = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new Random(7));
        for (int attempt = 0; attempt < 10; attempt++) {
            assertThat(same.delayMillis(attempt)).isEqualTo(again.delayMillis(attempt));
        }
    }

    @Test
    void badBackoffSettingsAreRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new Random()))
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new Random()))
                .hasMessageContaining("PT1S").hasMessageContaining("PT2S");
        assertThatThrownBy(() -> HeraldClient.builder(java.net.URI.create("http://x/bayeux")).maxAttempts(-1))
                .hasMessageContaining("-1");
    }

    @Test
    void theFileStoreKeepsTheIdentityAcrossInstancesAndReplacesItWhole(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/identity.json");
        IdentityStore store = IdentityStore.file(file);
        assertThat(store.load()).isEqualTo(Identity.EMPTY);
        Identity identity = new Identity("abc", Map.of("/a/b", new Position("E1", 7), "/c", new Position("E2", 0)));
        store.save(identity);
        assertThat(IdentityStore.file(file).load()).isEqualTo(identity);
        store.save(new Identity("abc", Map.of("/a/b", new Position("E1", 9))));
        assertThat(IdentityStore.file(file).load().positions()).containsOnlyKeys("/a/b");
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file); // no temporary file left behind
        }
        store.clear();
        assertThat(store.load()).isEqualTo(Identity.EMPTY);
    }

    @Test
    void aCorruptIdentityFileIsAClearError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("identity.json");
        Files.writeString(file, "{\"clientId\":\"x\",\"positions\":{\"/a\":\"no-position\"}}");
        assertThatThrownBy(() -> IdentityStore.file(file).load()).hasMessageContaining("/a").hasMessageContaining(file.toString());
    }
}
