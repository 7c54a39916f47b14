package io.herald.bench;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Principal;
import io.herald.api.Publication;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark (c): 10,000 wildcard subscriptions ({@code *} and {@code **} over varied prefixes) and one
 * publish matched against them. {@code publishMatches} scores matches (deliveries) per second;
 * {@code publishLatency} samples the time of one whole publish, matching and delivery included.
 *
 * <p>Subscription {@code i} has group {@code g = i % 10}, subgroup {@code s = (i / 10) % 10} and kind
 * {@code (i / 100) % 5}: {@code /bench/g/*}, {@code /bench/g/**}, {@code /bench/g/s/*}, {@code /bench/g/s/**},
 * and {@code /bench/**} for even {@code s} or {@code /tg/s/**} for odd {@code s}. The published channel
 * {@code /bench/g3/s4/e} matches {@value #MATCHES} of them; the set-up checks that count against a plain
 * scan with {@link ChannelName#covers}, independent of the engine's index.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
@State(Scope.Benchmark)
public class PatternMatchBenchmark {

    public static final int PATTERNS = 10_000;
    public static final int MATCHES = 1_240;
    public static final ChannelName CHANNEL = ChannelName.of("/bench/g3/s4/e");

    @Param({"counting", "outbox"})
    public String subscriber;

    BenchEngine bench;
    Receivers receivers;
    Publication publication;

    @Setup(Level.Trial)
    public void setUp() {
        List<ChannelName> patterns = patterns();
        long expected = patterns.stream().filter(p -> p.covers(CHANNEL)).count();
        if (expected != MATCHES) {
            throw new IllegalStateException("the pattern mix matches " + CHANNEL + " " + expected + " times, not " + MATCHES);
        }
        bench = new BenchEngine();
        receivers = Receivers.of(subscriber, PATTERNS, bench.outboxCapacity());
        for (ChannelName pattern : patterns) {
            bench.subscribe(pattern, receivers.next());
        }
        publication = Publication.json(CHANNEL, Payloads.SMALL_JSON);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bench.close();
    }

    /** The subscribed patterns, in subscription order. */
    public static List<ChannelName> patterns() {
        List<ChannelName> patterns = new ArrayList<>(PATTERNS);
        for (int i = 0; i < PATTERNS; i++) {
            int g = i % 10;
            int s = (i / 10) % 10;
            String name = switch ((i / 100) % 5) {
                case 0 -> "/bench/g" + g + "/*";
                case 1 -> "/bench/g" + g + "/**";
                case 2 -> "/bench/g" + g + "/s" + s + "/*";
                case 3 -> "/bench/g" + g + "/s" + s + "/**";
                default -> s % 2 == 0 ? "/bench/**" : "/t" + g + "/s" + s + "/**";
            };
            patterns.add(ChannelName.of(name));
        }
        return patterns;
    }

    Message publish() {
        Message m = bench.engine().publish(Principal.SERVER, publication);
        receivers.flush();
        return m;
    }

    @Benchmark
    @OperationsPerInvocation(MATCHES)
    public Message publishMatches() {
        return publish();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Message publishLatency() {
        return publish();
    }

    public Receivers receivers() {
        return receivers;
    }

    public BenchEngine bench() {
        return bench;
    }
}
