package io.herald.bench;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.api.SessionStore;
import io.herald.api.SessionSubscription;
import io.herald.core.memory.MemorySessionStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the memory session store costs per delivery of an acknowledged subscription: {@code batch} deliveries
 * recorded ({@link SessionStore#delivered}), then one cumulative ack of the last, as a connection draining
 * a batch and its client acknowledging it do. A batch of 1 is a client that keeps up (one message per connect
 * reply); 500 is a client that fell behind, or one whose queued messages are recorded when it is let go.
 * Scores batches per second; divide by {@code batch} for deliveries.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
@State(Scope.Benchmark)
public class SessionStoreBenchmark {

    private static final String KEY = "/bench/chat/0";

    @Param({"1", "10", "500"})
    public int batch;

    SessionStore store;
    String id;
    long offset;

    @Setup(Level.Trial)
    public void setUp() {
        store = new MemorySessionStore();
        id = store.create("bench", Duration.ofHours(1)).id();
        store.subscribe(id, SessionSubscription.of(KEY, ChannelName.of(KEY), true));
    }

    @Benchmark
    public int deliverThenAcknowledge() {
        Position last = null;
        for (int i = 0; i < batch; i++) {
            last = new Position("e1", ++offset);
            store.delivered(id, KEY, last, Integer.MAX_VALUE);
        }
        return store.acknowledge(id, KEY, last, true);
    }
}
