package io.herald.bench;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
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
 * <p>{@code history} is the retention per channel: with the default (100) the in-memory store holds ten
 * million messages in steady state, as a busy server would, and the garbage collector's work on them is part
 * of the score (the heap is sized for it); with 1 the score is the publish and fan-out path alone.
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

    @Param({"100", "1"})
    public String history;

    BenchEngine bench;
    Receivers receivers;
    Publication[] publications;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
        bench = new BenchEngine(Settings.defaults().with(CoreSettings.HISTORY_SIZE, history));
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
