package io.herald.bench;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Principal;
import io.herald.api.Publication;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark (b): many channels with one live subscriber each, published round-robin, so every publish
 * touches a channel (its history, feed and subscriber) that has gone cold since its last turn. One
 * operation is one publish and exactly one delivery, so the score is deliveries per second.
 *
 * <p>History keeps the default retention (100 messages per channel), so in steady state the store holds
 * millions of messages, as a busy server would; the heap is sized for that.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+UseG1GC"})
@State(Scope.Benchmark)
public class ManyChannelsBenchmark {

    public static final int CHANNELS = 100_000;

    @Param({"counting", "outbox"})
    public String subscriber;

    BenchEngine bench;
    Receivers receivers;
    Publication[] publications;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
        bench = new BenchEngine();
        receivers = Receivers.of(subscriber, CHANNELS, bench.outboxCapacity());
        publications = new Publication[CHANNELS];
        for (int i = 0; i < CHANNELS; i++) {
            ChannelName channel = channel(i);
            bench.subscribe(channel, receivers.next());
            publications[i] = Publication.json(channel, Payloads.SMALL_JSON);
        }
        next = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bench.close();
    }

    /** The {@code i}-th channel: spread over 100 groups, as applications namespace their channels. */
    public static ChannelName channel(int i) {
        return ChannelName.of("/bench/g" + (i % 100) + "/c" + i);
    }

    @Benchmark
    public Message publishRoundRobin() {
        Publication p = publications[next];
        next = next + 1 == CHANNELS ? 0 : next + 1;
        Message m = bench.engine().publish(Principal.SERVER, p);
        receivers.flush();
        return m;
    }

    public Receivers receivers() {
        return receivers;
    }

    public BenchEngine bench() {
        return bench;
    }
}
