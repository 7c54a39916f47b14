package io.herald.bench.redis;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.core.Herald;
import io.herald.core.RandomIds;
import io.herald.core.Resume;
import io.herald.core.Subscriber;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.redis.RedisSettings;
import io.herald.redis.RedisStoreModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Publishing and cross-node delivery through a Redis Cluster of one shard against one of three, same
 * channels, same load, one run: node A publishes ({@code publishAsync}, a window in flight, round robin over
 * the channels), node B has a live subscriber on every channel, so each message crosses from A to B through
 * the shard owning its channel ({@code SPUBLISH}). What it reports per shard, rather than absolute scaling
 * (a 2-core machine cannot show that): the shard's redis-server CPU per message it carried
 * ({@code utime+stime} from {@code /proc/<pid>/stat}, the pid from {@code INFO server}: the servers must run
 * on this machine), and how channels, keys and messages ({@code EVALSHA} calls from {@code INFO
 * commandstats}) spread over the shards. Prints a Markdown report.
 *
 * <pre>
 * java -cp bench/target/herald-benchmarks.jar io.herald.bench.redis.RedisClusterBench \
 *     --cluster 1=redis-cluster://127.0.0.1:17000 --cluster 3=redis-cluster://127.0.0.1:17001 \
 *     [--seconds 10] [--channels 64] [--window 100] [--payload 100] [--repeat 3]
 * </pre>
 * {@code bench/sizing/redis-cluster-bench.sh} starts both clusters (masters only), pinned, and runs this.
 * Keys go under a fresh prefix per run, deleted afterwards. Not thread-safe; run one at a time.
 */
public final class RedisClusterBench {

    private final Map<String, String> clusters;
    private final int seconds;
    private final int channelCount;
    private final int window;
    private final int payload;
    private final int repeat;
    private final StringBuilder report = new StringBuilder();

    private RedisClusterBench(Map<String, String> clusters, int seconds, int channels, int window, int payload, int repeat) {
        this.clusters = clusters;
        this.seconds = seconds;
        this.channelCount = channels;
        this.window = window;
        this.payload = payload;
        this.repeat = repeat;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> clusters = new LinkedHashMap<>();
        int seconds = 10;
        int channels = 64;
        int window = 100;
        int payload = 100;
        int repeat = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--cluster" -> {
                    String[] named = args[i + 1].split("=", 2);
                    clusters.put(named[0], named[1]);
                }
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--channels" -> channels = Integer.parseInt(args[i + 1]);
                case "--window" -> window = Integer.parseInt(args[i + 1]);
                case "--payload" -> payload = Integer.parseInt(args[i + 1]);
                case "--repeat" -> repeat = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--cluster name=redis-cluster://host:port, --seconds, --channels, --window, --payload, --repeat)");
            }
        }
        if (clusters.isEmpty()) {
            throw new IllegalArgumentException("name at least one cluster: --cluster 1=redis-cluster://127.0.0.1:17000");
        }
        System.out.print(new RedisClusterBench(clusters, seconds, channels, window, payload, repeat).run());
    }

    private String run() throws Exception {
        line("%d channels, payload %d bytes, one publisher keeping %d `publishAsync` in flight on node A, a live subscriber of every "
                + "channel on node B; %d s measured after %d s of warm-up; JVM %s, %d CPUs visible.", channelCount, payload, window, seconds,
                Math.max(1, seconds / 3), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        line("");
        line("| run | cluster | shard | channels | messages (EVALSHA) | keys | Redis CPU s | µs Redis CPU per message | Redis CPU / wall |");
        line("|---|---|---|---:|---:|---:|---:|---:|---:|");
        List<String> totals = new ArrayList<>();
        for (int r = 1; r <= repeat; r++) {
            for (Map.Entry<String, String> cluster : clusters.entrySet()) {
                totals.add(measure(r, cluster.getKey(), cluster.getValue()));
            }
        }
        line("");
        line("| run | cluster | shards | publishes confirmed/s | cross-node deliveries/s | delivered / confirmed | Redis CPU s, all shards | µs Redis CPU per message, all shards | load average |");
        line("|---|---|---:|---:|---:|---:|---:|---:|---|");
        totals.forEach(this::line);
        return report.toString();
    }

    /** One measured run on one cluster: the per-shard rows go to the report, the totals row is returned. */
    private String measure(int run, String name, String url) throws Exception {
        String prefix = "herald-bench:" + RandomIds.next(8) + ":";
        Settings settings = Settings.defaults().with(RedisSettings.URL, url).with(RedisSettings.PREFIX, prefix)
                .with(CoreSettings.HISTORY_SIZE, "100");
        List<ChannelName> channels = new ArrayList<>();
        for (int c = 0; c < channelCount; c++) {
            channels.add(ChannelName.of("/bench/cluster/c" + c));
        }
        Herald a = Herald.builder().settings(settings).store(new RedisStoreModule(settings)).build().start();
        Herald b = Herald.builder().settings(settings).store(new RedisStoreModule(settings)).build().start();
        try {
            LongAdder delivered = new LongAdder();
            Subscriber counting = new Subscriber() {
                @Override
                public boolean deliver(Message message) {
                    delivered.increment();
                    return true;
                }
            };
            for (ChannelName channel : channels) {
                b.engine().subscribe(Principal.SERVER, channel, Resume.live(), counting);
            }
            String json = "{\"p\":\"" + "x".repeat(Math.max(0, payload - 8)) + "\"}";
            long warm = publish(a, channels, json, TimeUnit.SECONDS.toNanos(Math.max(1, seconds / 3)));
            awaitDelivered(delivered, warm);

            List<Shard> shards = shards(url);
            Map<HostAndPort, Integer> owned = new TreeMap<>((x, y) -> Integer.compare(x.getPort(), y.getPort()));
            for (ChannelName channel : channels) {
                HostAndPort owner = ownerOf(shards, JedisClusterCRC16.getSlot(prefix + "{" + channel.value() + "}:meta"));
                owned.merge(owner, 1, Integer::sum);
            }
            shards.forEach(Shard::before);
            long deliveredBefore = delivered.sum();
            long start = System.nanoTime();
            long confirmed = publish(a, channels, json, TimeUnit.SECONDS.toNanos(seconds));
            long published = System.nanoTime();
            long expected = deliveredBefore + confirmed;
            long arrived = awaitDelivered(delivered, expected) - deliveredBefore;
            long end = System.nanoTime();
            shards.forEach(Shard::after);

            double cpuAll = 0;
            long messagesAll = 0;
            for (Shard s : shards) {
                cpuAll += s.cpuSeconds();
                messagesAll += s.evalshas();
                line("| %d | %s | %s | %d | %,d | %,d | %.2f | %.2f | %.2f |", run, name, s.address, owned.getOrDefault(s.address, 0), s.evalshas(),
                        s.keys(prefix), s.cpuSeconds(), s.evalshas() == 0 ? 0 : s.cpuSeconds() * 1e6 / s.evalshas(),
                        s.cpuSeconds() / ((end - start) / 1e9));
            }
            return String.format(Locale.ROOT, "| %d | %s | %d | %,.0f | %,.0f | %.4f | %.2f | %.2f | %s |", run, name, shards.size(),
                    confirmed / ((published - start) / 1e9), arrived / ((end - start) / 1e9), (double) arrived / confirmed, cpuAll,
                    cpuAll * 1e6 / messagesAll, loadAverage());
        } finally {
            a.stop();
            b.stop();
            for (Shard s : shards(url)) {
                s.delete(prefix);
            }
        }
    }

    /** Publishes round robin over {@code channels} for {@code nanos}, {@code window} in flight; returns how many were confirmed. */
    private long publish(Herald node, List<ChannelName> channels, String json, long nanos) throws InterruptedException {
        Semaphore room = new Semaphore(window);
        AtomicInteger failed = new AtomicInteger();
        LongAdder confirmed = new LongAdder();
        long end = System.nanoTime() + nanos;
        for (int i = 0; System.nanoTime() < end; i++) {
            room.acquire();
            node.engine().publishAsync(Principal.SERVER, Publication.json(channels.get(i % channels.size()), json)).whenComplete((m, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                } else {
                    confirmed.increment();
                }
                room.release();
            });
        }
        room.acquire(window);
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " publishes failed");
        }
        return confirmed.sum();
    }

    /** Waits until {@code expected} deliveries have come, or none came for 2 s; returns how many came. */
    private static long awaitDelivered(LongAdder delivered, long expected) throws InterruptedException {
        long seen = delivered.sum();
        long quietSince = System.nanoTime();
        while (seen < expected && System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(2)) {
            TimeUnit.MILLISECONDS.sleep(5);
            long now = delivered.sum();
            if (now != seen) {
                seen = now;
                quietSince = System.nanoTime();
            }
        }
        return delivered.sum();
    }

    private static HostAndPort ownerOf(List<Shard> shards, int slot) {
        for (Shard s : shards) {
            if (s.slots.stream().anyMatch(r -> r[0] <= slot && slot <= r[1])) {
                return s.address;
            }
        }
        throw new IllegalStateException("no shard serves slot " + slot);
    }

    /** The masters of the cluster at {@code url} (its first seed node is asked) and the slots each serves. */
    private static List<Shard> shards(String url) {
        String seed = url.substring(url.indexOf("://") + 3).split(",")[0];
        HostAndPort node = HostAndPort.from(seed);
        Map<HostAndPort, Shard> byAddress = new LinkedHashMap<>();
        try (Jedis jedis = new Jedis(node)) {
            for (Object range : jedis.clusterSlots()) {
                List<?> r = (List<?>) range;
                List<?> master = (List<?>) r.get(2);
                String host = new String((byte[]) master.get(0), StandardCharsets.UTF_8);
                // A lone master that never met another node does not know its address: it names no host.
                HostAndPort address = new HostAndPort(host.isEmpty() ? node.getHost() : host, ((Long) master.get(1)).intValue());
                byAddress.computeIfAbsent(address, Shard::new).slots.add(new long[] {(Long) r.get(0), (Long) r.get(1)});
            }
        }
        return List.copyOf(byAddress.values());
    }

    /** One master: its slots, and readings of its CPU and commands before and after the measured run. */
    private static final class Shard {
        final HostAndPort address;
        final List<long[]> slots = new ArrayList<>();
        private long ticksBefore;
        private long ticksAfter;
        private long evalshaBefore;
        private long evalshaAfter;

        Shard(HostAndPort address) {
            this.address = address;
        }

        void before() {
            ticksBefore = ticks();
            evalshaBefore = evalshas(info("commandstats"));
        }

        void after() {
            ticksAfter = ticks();
            evalshaAfter = evalshas(info("commandstats"));
        }

        double cpuSeconds() {
            // USER_HZ is 100 on Linux.
            return (ticksAfter - ticksBefore) / 100.0;
        }

        long evalshas() {
            return evalshaAfter - evalshaBefore;
        }

        /** The keys of the run's prefix on this master. */
        long keys(String prefix) {
            try (Jedis jedis = new Jedis(address)) {
                return jedis.keys(prefix + "*").size();
            }
        }

        void delete(String prefix) {
            try (Jedis jedis = new Jedis(address)) {
                for (String key : jedis.keys(prefix + "*")) {
                    jedis.del(key);
                }
            }
        }

        private long ticks() {
            long pid = Long.parseLong(field(info("server"), "process_id"));
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                // Fields after the command name (in parentheses, which may hold spaces): utime is the 14th, stime the 15th.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the CPU of redis-server " + pid + " (it must run on this machine)", e);
            }
        }

        private String info(String section) {
            try (Jedis jedis = new Jedis(address)) {
                return jedis.info(section);
            }
        }

        private static long evalshas(String commandstats) {
            String calls = field(commandstats, "cmdstat_evalsha");
            if (calls == null) {
                return 0;
            }
            return Long.parseLong(calls.substring("calls=".length(), calls.indexOf(',')));
        }

        private static String field(String info, String name) {
            for (String line : info.split("\r?\n")) {
                if (line.startsWith(name + ":")) {
                    return line.substring(name.length() + 1);
                }
            }
            return null;
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private void line(String format, Object... args) {
        report.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
