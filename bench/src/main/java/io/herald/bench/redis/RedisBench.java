package io.herald.bench.redis;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.core.Engine;
import io.herald.core.Herald;
import io.herald.core.RandomIds;
import io.herald.core.Resume;
import io.herald.core.Subscriber;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.redis.RedisSettings;
import io.herald.redis.RedisStoreModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Publish throughput and latency, and replay speed, through Herald's Redis store, each beside the raw
 * ceiling measured in the same run on the same Redis ({@link RawRedis}: the same commands on one
 * connection, without Herald). Prints a Markdown report.
 *
 * <pre>
 * java -cp bench/target/herald-benchmarks.jar io.herald.bench.redis.RedisBench \
 *     [--url redis://127.0.0.1:6379] [--seconds 5] [--threads 1,4,16] [--window 100] [--payload 100] [--replay 10000]
 * </pre>
 * {@code --window} is how many {@code publishAsync} calls the single asynchronous publisher keeps in flight
 * (the raw pipelined ceiling sends batches of 100).
 * Keys are written under a fresh prefix {@code herald-bench:<random>:} and deleted afterwards. Not
 * thread-safe; run one at a time (it measures the machine).
 */
public final class RedisBench {

    private final String url;
    private final int seconds;
    private final int[] threads;
    private final int payload;
    private final int window;
    private final int replayCount;
    private final String prefix = "herald-bench:" + RandomIds.next(8) + ":";
    private final StringBuilder report = new StringBuilder();

    private RedisBench(String url, int seconds, int[] threads, int window, int payload, int replayCount) {
        this.url = url;
        this.seconds = seconds;
        this.threads = threads;
        this.window = window;
        this.payload = payload;
        this.replayCount = replayCount;
    }

    public static void main(String[] args) throws Exception {
        String url = "redis://127.0.0.1:6379";
        int seconds = 5;
        int[] threads = {1, 4, 16};
        int payload = 100;
        int window = 100;
        int replay = 10_000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--payload" -> payload = Integer.parseInt(args[i + 1]);
                case "--window" -> window = Integer.parseInt(args[i + 1]);
                case "--replay" -> replay = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--url, --seconds, --threads, --window, --payload, --replay)");
            }
        }
        System.out.print(new RedisBench(url, seconds, threads, window, payload, replay).run());
    }

    private String run() throws Exception {
        List<String> rawChannels = List.of("/bench/raw/one", "/bench/raw/pipelined", "/bench/raw/replay");
        try (RawRedis raw = new RawRedis(url, prefix)) {
            line("Machine: %s, %d CPUs; %s; Redis %s at %s; payload %d bytes.", cpuModel(), Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), raw.version(), url, payload);
            line("");
            // A body as the store encodes it: two version/flag bytes, the content type, no headers, the payload.
            int body = payload + 2 + 1 + "application/json".length() + 1;
            publishing(raw, body);
            line("");
            replaying(raw, body);
            raw.delete(rawChannels);
        }
        return report.toString();
    }

    private void publishing(RawRedis raw, int body) throws Exception {
        int warm = 20_000;
        raw.appendOneByOne("/bench/raw/one", body, warm, new Histogram(3));
        Histogram rawLatency = new Histogram(3);
        double oneByOne = raw.appendOneByOne("/bench/raw/one", body, Math.max(20_000, seconds * 20_000), rawLatency);
        raw.appendPipelined("/bench/raw/pipelined", body, warm, 100);
        double pipelined = raw.appendPipelined("/bench/raw/pipelined", body, Math.max(100_000, seconds * 60_000), 100);

        line("| publish | publishers | appends/s | p50 | p99 | vs raw one-by-one | vs raw pipelined |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        line("| raw: EVALSHA append, 1 connection, one at a time | 1 | %,.0f | %s | %s | 100%% | |", oneByOne,
                micros(rawLatency, 50), micros(rawLatency, 99));
        line("| raw: EVALSHA append, 1 connection, pipelined by 100 | 1 | %,.0f | | | | 100%% |", pipelined);
        Histogram asyncLatency = new Histogram(3);
        double async = heraldPublishAsync(asyncLatency);
        line("| Herald `publishAsync` through Redis, %d in flight | 1 | %,.0f | %s | %s | %.0f%% | %.0f%% |", window, async,
                micros(asyncLatency, 50), micros(asyncLatency, 99), 100 * async / oneByOne, 100 * async / pipelined);
        for (int t : threads) {
            Histogram latency = new Histogram(3);
            double rate = heraldPublish(t, latency);
            line("| Herald `publish` through Redis | %d | %,.0f | %s | %s | %.0f%% | %.0f%% |", t, rate, micros(latency, 50),
                    micros(latency, 99), 100 * rate / oneByOne, 100 * rate / pipelined);
        }
    }

    /** {@code publishers} threads publish for the configured time, each over 4 channels of its own. */
    private double heraldPublish(int publishers, Histogram latency) throws Exception {
        Settings settings = settings(100);
        Herald herald = Herald.builder().settings(settings).store(new RedisStoreModule(settings)).build().start();
        List<ChannelName> channels = new ArrayList<>();
        try {
            String json = "{\"p\":\"" + "x".repeat(Math.max(0, payload - 8)) + "\"}";
            for (int phase = 0; phase < 2; phase++) {
                boolean measured = phase == 1;
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger count = new AtomicInteger();
                List<Histogram> histograms = new ArrayList<>();
                CountDownLatch done = new CountDownLatch(publishers);
                for (int t = 0; t < publishers; t++) {
                    List<ChannelName> mine = new ArrayList<>();
                    for (int c = 0; c < 4; c++) {
                        mine.add(ChannelName.of("/bench/publish/t" + t + "/c" + c));
                    }
                    channels.addAll(mine);
                    Histogram h = new Histogram(3);
                    histograms.add(h);
                    Thread thread = new Thread(() -> {
                        for (int i = 0; running.get(); i++) {
                            long t0 = System.nanoTime();
                            herald.publish(mine.get(i & 3), json);
                            h.recordValue(System.nanoTime() - t0);
                            count.incrementAndGet();
                        }
                        done.countDown();
                    }, "bench-publisher-" + t);
                    thread.start();
                }
                long start = System.nanoTime();
                TimeUnit.SECONDS.sleep(measured ? seconds : Math.max(1, seconds / 3));
                running.set(false);
                done.await();
                double rate = count.get() / ((System.nanoTime() - start) / 1e9);
                if (measured) {
                    histograms.forEach(latency::add);
                    return rate;
                }
            }
            throw new IllegalStateException("unreachable");
        } finally {
            herald.stop();
            try (RawRedis cleanup = new RawRedis(url, prefix)) {
                cleanup.delete(channels.stream().map(ChannelName::value).distinct().toList());
            }
        }
    }

    /**
     * One publisher thread calls {@code publishAsync} over 4 channels, keeping at most {@code window} publishes
     * in flight; latency is from the call to the future's completion (stored, handed to the broker).
     */
    private double heraldPublishAsync(Histogram latency) throws Exception {
        Settings settings = settings(100);
        Herald herald = Herald.builder().settings(settings).store(new RedisStoreModule(settings)).build().start();
        List<ChannelName> channels = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            channels.add(ChannelName.of("/bench/async/c" + c));
        }
        try {
            Engine engine = herald.engine();
            String json = "{\"p\":\"" + "x".repeat(Math.max(0, payload - 8)) + "\"}";
            for (int phase = 0; phase < 2; phase++) {
                boolean measured = phase == 1;
                Semaphore room = new Semaphore(window);
                ConcurrentHistogram h = new ConcurrentHistogram(3);
                AtomicInteger failed = new AtomicInteger();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(measured ? seconds : Math.max(1, seconds / 3));
                long start = System.nanoTime();
                int sent = 0;
                while (System.nanoTime() < end) {
                    room.acquire();
                    long t0 = System.nanoTime();
                    engine.publishAsync(Principal.SERVER, Publication.json(channels.get(sent & 3), json)).whenComplete((m, e) -> {
                        h.recordValue(System.nanoTime() - t0);
                        if (e != null) {
                            failed.incrementAndGet();
                        }
                        room.release();
                    });
                    sent++;
                }
                room.acquire(window);
                double rate = sent / ((System.nanoTime() - start) / 1e9);
                if (failed.get() > 0) {
                    throw new IllegalStateException(failed.get() + " of " + sent + " asynchronous publishes failed");
                }
                if (measured) {
                    latency.add(h);
                    return rate;
                }
            }
            throw new IllegalStateException("unreachable");
        } finally {
            herald.stop();
            try (RawRedis cleanup = new RawRedis(url, prefix)) {
                cleanup.delete(channels.stream().map(ChannelName::value).toList());
            }
        }
    }

    private void replaying(RawRedis raw, int body) throws Exception {
        raw.fill("/bench/raw/replay", body, replayCount);
        raw.readAll("/bench/raw/replay", 512, replayCount);
        double rawRate = best(() -> raw.readAll("/bench/raw/replay", 512, replayCount));

        Settings settings = settings(replayCount);
        Herald herald = Herald.builder().settings(settings).store(new RedisStoreModule(settings)).build().start();
        ChannelName channel = ChannelName.of("/bench/replay/room");
        try {
            String json = "{\"p\":\"" + "x".repeat(Math.max(0, payload - 8)) + "\"}";
            for (int i = 0; i < replayCount; i++) {
                herald.publish(channel, json);
            }
            String epoch = herald.engine().head(channel).epoch();
            double history = best(() -> readHistory(herald, channel, epoch));
            double catchUp = best(() -> catchUp(herald, channel, epoch));
            line("| replay of %,d messages | messages/s | vs raw |", replayCount);
            line("|---|---:|---:|");
            line("| raw: XRANGE pages of 512, 1 connection | %,.0f | 100%% |", rawRate);
            line("| Herald history pages of 512 (`Engine.history`) | %,.0f | %.0f%% |", history, 100 * history / rawRate);
            line("| Herald catch-up of a subscriber resuming at offset 0 | %,.0f | %.0f%% |", catchUp, 100 * catchUp / rawRate);
        } finally {
            herald.stop();
            raw.delete(List.of(channel.value()));
        }
    }

    private double readHistory(Herald herald, ChannelName channel, String epoch) {
        long start = System.nanoTime();
        Position after = Position.start(epoch);
        int read = 0;
        while (true) {
            Replay page = herald.engine().history(channel, after, 512);
            read += page.messages().size();
            after = page.lastOr(after);
            if (page.complete()) {
                break;
            }
        }
        if (read != replayCount) {
            throw new IllegalStateException("history gave " + read + " of " + replayCount);
        }
        return read / ((System.nanoTime() - start) / 1e9);
    }

    private double catchUp(Herald herald, ChannelName channel, String epoch) throws InterruptedException {
        CountDownLatch all = new CountDownLatch(replayCount);
        Subscriber counting = new Subscriber() {
            @Override
            public boolean deliver(Message message) {
                all.countDown();
                return true;
            }
        };
        long start = System.nanoTime();
        try (io.herald.core.Subscription s = herald.engine().subscribe(Principal.SERVER, channel, Resume.after(Position.start(epoch)), counting)) {
            if (!all.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("catch-up did not deliver " + replayCount + " messages in 60 s");
            }
            return replayCount / ((System.nanoTime() - start) / 1e9);
        }
    }

    private Settings settings(int retention) {
        return Settings.defaults().with(RedisSettings.URL, url).with(RedisSettings.PREFIX, prefix)
                .with(CoreSettings.HISTORY_SIZE, Integer.toString(retention));
    }

    /** The best of 5 runs (after one warm-up). */
    private static double best(Measure measure) throws Exception {
        measure.run();
        double best = 0;
        for (int i = 0; i < 5; i++) {
            best = Math.max(best, measure.run());
        }
        return best;
    }

    @FunctionalInterface
    private interface Measure {
        double run() throws Exception;
    }

    private static String micros(Histogram h, double percentile) {
        return String.format(Locale.ROOT, "%.0f µs", h.getValueAtPercentile(percentile) / 1000.0);
    }

    private void line(String format, Object... args) {
        report.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // Not Linux: the CPU count says enough.
        }
        return "unknown CPU";
    }
}
