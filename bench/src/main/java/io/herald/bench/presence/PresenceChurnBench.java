package io.herald.bench.presence;

import io.herald.api.ChannelName;
import io.herald.api.PresenceStore;
import io.herald.api.Principal;
import io.herald.core.Connection;
import io.herald.core.Herald;
import io.herald.core.RandomIds;
import io.herald.core.SessionService;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.presence.PresenceModule;
import io.herald.presence.PresenceService;
import io.herald.presence.PresenceSettings;
import io.herald.redis.RedisSettings;
import io.herald.redis.RedisStoreModule;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Presence churn: how many joins plus leaves per second one node sustains, with 10,000 members in one channel
 * and with 10,000 channels of 10 members, on the memory store and on Redis. Prints a Markdown report.
 *
 * <p>Each member slot holds one connection of a user of its own. A churn step leaves the slot's connection
 * ({@link PresenceService#left}) and joins a new connection of a new user in its place
 * ({@link PresenceService#joined}): two operations, and each brings a user online (a {@code join} published on
 * the companion channel through the engine) and, with grace 0, puts one offline (a {@code leave} published by
 * the node's sweep every 100 ms, which runs meanwhile). Beside it, in the same run, the raw baseline: the same
 * churn straight on the store ({@link PresenceStore#arrive} and {@link PresenceStore#leave}, no service, no
 * events). Connections are made with {@link SessionService#connect} and never subscribed, so the engine's
 * subscription path is not in the figure.
 *
 * <pre>
 * java -cp bench/target/herald-benchmarks.jar io.herald.bench.presence.PresenceChurnBench \
 *     [--url redis://127.0.0.1:6379] [--seconds 5] [--threads 4] [--stores memory,redis]
 * </pre>
 * Redis keys go under a fresh {@code herald-bench:<random>:} prefix and are deleted afterwards. Not
 * thread-safe; run one at a time.
 */
public final class PresenceChurnBench {

    /** Sizes of one run. */
    record Shape(String name, int channels, int members) {
    }

    /** What one churn run measured. */
    record Result(long operations, double seconds, long populateMillis) {
        double perSecond() {
            return operations / seconds;
        }
    }

    private static final Connection.Wire NO_WIRE = new Connection.Wire() {
        @Override
        public void writable() {
        }

        @Override
        public void cutOff() {
        }
    };

    private final String url;
    private final int seconds;
    private final int threads;
    private final String prefix = "herald-bench:" + RandomIds.next(8) + ":";
    private final AtomicLong users = new AtomicLong();

    PresenceChurnBench(String url, int seconds, int threads) {
        this.url = url;
        this.seconds = seconds;
        this.threads = threads;
    }

    public static void main(String[] args) throws Exception {
        String url = "redis://127.0.0.1:6379";
        int seconds = 5;
        int threads = 4;
        List<String> stores = List.of("memory", "redis");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--stores" -> stores = Arrays.asList(args[i + 1].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        PresenceChurnBench bench = new PresenceChurnBench(url, seconds, threads);
        List<Shape> shapes = List.of(new Shape("1 channel x 10,000 members", 1, 10_000), new Shape("10,000 channels x 10 members", 10_000, 10));
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "threads %d, %d s per run, after a %d s warm-up%n%n", threads, seconds, Math.max(1, seconds / 2)));
        report.append("| store | shape | raw store joins+leaves/s | presence service joins+leaves/s | service vs raw | populate (service) |\n");
        report.append("|---|---|---:|---:|---:|---:|\n");
        try {
            for (String store : stores) {
                for (Shape shape : shapes) {
                    Result raw = bench.run(store, shape, false);
                    Result service = bench.run(store, shape, true);
                    report.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %.0f %% | %,d joins/s |%n", store, shape.name(),
                            raw.perSecond(), service.perSecond(), 100 * service.perSecond() / raw.perSecond(),
                            shape.channels() * (long) shape.members() * 1000 / Math.max(1, service.populateMillis())));
                    System.err.println("done: " + store + " " + shape.name());
                }
            }
        } finally {
            bench.deleteKeys();
        }
        System.out.print(report);
    }

    Settings settings(String store) {
        return Settings.defaults()
                .with(CoreSettings.TRANSPORTS, "")
                .with(CoreSettings.STORE, store)
                .with(RedisSettings.URL, url)
                .with(RedisSettings.PREFIX, prefix)
                .with(RedisSettings.POOL_SIZE, String.valueOf(Math.max(8, threads * 2)))
                .with(PresenceSettings.GRACE, "0s")
                .with(PresenceSettings.SWEEP, "100ms")
                .with(PresenceSettings.TTL, "5m")
                .with(PresenceSettings.CHANNELS, "/bench/**");
    }

    /** Populates {@code shape}, warms up, then churns for the configured time on {@code threads} threads. */
    Result run(String store, Shape shape, boolean throughService) throws Exception {
        Settings settings = settings(store);
        Herald.Builder builder = Herald.builder().settings(settings).extension(new PresenceModule(settings));
        if (store.equals("redis")) {
            builder.store(new RedisStoreModule(settings));
        }
        try (Herald herald = builder.build().start()) {
            Churn churn = new Churn(herald, shape, throughService, "/bench/" + RandomIds.next(6) + (throughService ? "s" : "r"));
            long start = System.nanoTime();
            churn.populate();
            long populateMillis = (System.nanoTime() - start) / 1_000_000;
            churn.churnFor(Duration.ofSeconds(Math.max(1, seconds / 2)));
            long before = churn.operations.get();
            long t0 = System.nanoTime();
            churn.churnFor(Duration.ofSeconds(seconds));
            double elapsed = (System.nanoTime() - t0) / 1e9;
            churn.verify();
            return new Result(churn.operations.get() - before, elapsed, populateMillis);
        }
    }

    /** The member slots of one run, and the churn over them. */
    final class Churn {
        final AtomicLong operations = new AtomicLong();
        private final PresenceService presence;
        private final PresenceStore store;
        private final SessionService sessions;
        private final Shape shape;
        private final boolean throughService;
        private final List<ChannelName> channels = new ArrayList<>();
        private final AtomicReferenceArray<Object> slots;

        Churn(Herald herald, Shape shape, boolean throughService, String root) {
            this.presence = herald.injector().getInstance(PresenceService.class);
            this.store = herald.injector().getInstance(PresenceStore.class);
            this.sessions = herald.sessions();
            this.shape = shape;
            this.throughService = throughService;
            for (int c = 0; c < shape.channels(); c++) {
                channels.add(ChannelName.of(root + "/c" + c));
            }
            this.slots = new AtomicReferenceArray<>(shape.channels() * shape.members());
        }

        void populate() throws InterruptedException {
            AtomicInteger next = new AtomicInteger();
            parallel(() -> {
                for (int slot = next.getAndIncrement(); slot < slots.length(); slot = next.getAndIncrement()) {
                    slots.set(slot, join(channelOf(slot)));
                }
            });
        }

        void churnFor(Duration duration) throws InterruptedException {
            long end = System.nanoTime() + duration.toNanos();
            parallel(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                long done = 0;
                while (System.nanoTime() < end) {
                    int slot = random.nextInt(slots.length());
                    Object held = slots.getAndSet(slot, null);
                    if (held == null) {
                        continue; // another thread is churning this slot
                    }
                    ChannelName channel = channelOf(slot);
                    leave(held, channel);
                    slots.set(slot, join(channel));
                    done += 2;
                }
                operations.addAndGet(done);
            });
        }

        /** Every slot holds exactly one live connection: the churn lost or doubled nothing. */
        void verify() {
            long members = channels.stream().mapToLong(c -> store.members(c).size()).sum();
            if (members != slots.length()) {
                throw new IllegalStateException(members + " members after the churn, expected " + slots.length());
            }
        }

        private ChannelName channelOf(int slot) {
            return channels.get(slot / shape.members());
        }

        private Object join(ChannelName channel) {
            String user = "u" + users.incrementAndGet();
            if (!throughService) {
                store.arrive(channel, user, user, Map.of(), Duration.ofMinutes(5));
                return user;
            }
            Connection connection = sessions.connect(sessions.ephemeral(new Principal(user, null, Map.of())), NO_WIRE, false);
            presence.joined(connection, channel);
            return connection;
        }

        private void leave(Object held, ChannelName channel) {
            if (held instanceof Connection connection) {
                presence.left(connection, channel);
            } else {
                store.leave(channel, (String) held);
            }
        }

        private void parallel(Runnable task) throws InterruptedException {
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread thread = new Thread(task, "churn-" + t);
                thread.start();
                running.add(thread);
            }
            for (Thread thread : running) {
                thread.join();
            }
        }
    }

    void deleteKeys() {
        URI redis = URI.create(url);
        try (Jedis jedis = new Jedis(new HostAndPort(redis.getHost(), redis.getPort() < 0 ? 6379 : redis.getPort()))) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = jedis.scan(cursor, new ScanParams().match(prefix + "*").count(1000));
                if (!page.getResult().isEmpty()) {
                    jedis.del(page.getResult().toArray(String[]::new));
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        } catch (RuntimeException e) {
            System.err.println("could not delete the bench's Redis keys under " + prefix + ": " + e);
        }
    }
}
