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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark (a): one channel with many live subscribers; every publish goes through the real engine (history
 * append, in-memory broker, channel feed) and is delivered to each of them. One operation is one delivery,
 * so the score is deliveries per second.
 *
 * <p>{@code publishTo10000} is the target shape; {@code publishTo1000} exists so that allocation per publish
 * ({@code gc.alloc.rate.norm} times the subscriber count) can be compared across sizes: fan-out must not
 * allocate per subscriber.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
public class OneChannelFanOutBenchmark {

    public static final int LARGE = 10_000;
    public static final int SMALL = 1_000;
    public static final ChannelName CHANNEL = ChannelName.of("/bench/fanout");

    /** One channel, a given number of subscribers of one kind. */
    @State(Scope.Benchmark)
    public abstract static class FanOut {
        @Param({"counting", "outbox"})
        public String subscriber;

        BenchEngine bench;
        Receivers receivers;
        Publication publication;

        abstract int subscribers();

        @Setup(Level.Trial)
        public void setUp() {
            bench = new BenchEngine();
            receivers = Receivers.of(subscriber, subscribers(), bench.outboxCapacity());
            for (int i = 0; i < subscribers(); i++) {
                bench.subscribe(CHANNEL, receivers.next());
            }
            publication = Publication.json(CHANNEL, Payloads.SMALL_JSON);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            bench.close();
        }

        Message publish() {
            Message m = bench.engine().publish(Principal.SERVER, publication);
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

    public static class TenThousand extends FanOut {
        @Override
        int subscribers() {
            return LARGE;
        }
    }

    public static class OneThousand extends FanOut {
        @Override
        int subscribers() {
            return SMALL;
        }
    }

    @Benchmark
    @OperationsPerInvocation(LARGE)
    public Message publishTo10000(TenThousand state) {
        return state.publish();
    }

    @Benchmark
    @OperationsPerInvocation(SMALL)
    public Message publishTo1000(OneThousand state) {
        return state.publish();
    }
}
