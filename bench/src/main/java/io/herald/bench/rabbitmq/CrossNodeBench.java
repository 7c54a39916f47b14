package io.herald.bench.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.core.Herald;
import io.herald.core.RandomIds;
import io.herald.core.Resume;
import io.herald.core.Subscriber;
import io.herald.core.config.Settings;
import io.herald.rabbitmq.RabbitBrokerModule;
import io.herald.rabbitmq.RabbitSettings;
import io.herald.redis.RedisSettings;
import io.herald.redis.RedisStoreModule;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Cross-node delivery: node A publishes ({@code publishAsync}, a window in flight), a subscriber on node B
 * receives; rate (messages/s from the first publish to the last delivery) and latency (publish call to
 * delivery, same JVM clock) through the {@code rabbitmq} broker, through Redis pub/sub (the Redis store's own
 * broker), and the raw amqp-client publishing with confirms and consuming the same bodies on the same exchange
 * (the ceiling). Both Herald runs keep history in Redis, as a cluster does. Rounds alternate the three;
 * medians are reported. Prints Markdown.
 *
 * <pre>
 * java -cp bench/target/herald-benchmarks.jar io.herald.bench.rabbitmq.CrossNodeBench \
 *     [--url amqp://guest:guest@127.0.0.1:5672/] [--redis redis://127.0.0.1:6379] [--messages 20000] [--rounds 3] [--window 256]
 * </pre>
 * Redis keys go under a fresh prefix and expire with retention; not thread-safe, run one at a time.
 */
public final class CrossNodeBench {

    private static final String EXCHANGE = "herald.bench";

    public static void main(String[] args) throws Exception {
        String url = "amqp://guest:guest@127.0.0.1:5672/";
        String redis = "redis://127.0.0.1:6379";
        int messages = 20_000;
        int rounds = 3;
        int window = 256;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--redis" -> redis = args[i + 1];
                case "--messages" -> messages = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--window" -> window = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--url, --redis, --messages, --rounds, --window)");
            }
        }
        System.out.print(run(url, redis, messages, rounds, window));
    }

    /** One measured run: messages per second and the latency histogram (ns). */
    record Result(double rate, Histogram latency) {
    }

    public static String run(String url, String redis, int messages, int rounds, int window) throws Exception {
        Map<String, List<Result>> results = new java.util.LinkedHashMap<>();
        for (String path : List.of("raw amqp-client (ceiling)", "Herald through RabbitMQ", "Herald through Redis pub/sub")) {
            results.put(path, new ArrayList<>());
        }
        for (int r = 0; r <= rounds; r++) {
            boolean warmUp = r == 0;
            int n = warmUp ? Math.max(1000, messages / 4) : messages;
            Result raw = raw(url, n, window);
            Result rabbit = herald(url, redis, true, n, window);
            Result viaRedis = herald(url, redis, false, n, window);
            if (!warmUp) {
                results.get("raw amqp-client (ceiling)").add(raw);
                results.get("Herald through RabbitMQ").add(rabbit);
                results.get("Herald through Redis pub/sub").add(viaRedis);
            }
        }
        double ceiling = median(results.get("raw amqp-client (ceiling)"));
        StringBuilder report = new StringBuilder();
        report.append("| path | delivered msg/s (median) | p50 | p99 | vs raw |\n|---|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<Result>> e : results.entrySet()) {
            Histogram all = new Histogram(3);
            e.getValue().forEach(x -> all.add(x.latency()));
            double rate = median(e.getValue());
            report.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f ms | %.1f ms | %.0f%% |%n", e.getKey(), rate,
                    all.getValueAtPercentile(50) / 1e6, all.getValueAtPercentile(99) / 1e6, 100 * rate / ceiling));
        }
        report.append(String.format(Locale.ROOT, "%n%d rounds of %d messages after a warm-up round, %d in flight, %d CPUs, %s %s%n",
                rounds, messages, window, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version")));
        return report.toString();
    }

    private static Result herald(String url, String redis, boolean rabbit, int messages, int window) throws Exception {
        String prefix = "herald-bench:" + RandomIds.next(8) + ":";
        Settings settings = Settings.of(Map.of(RabbitSettings.URL.key(), url, RabbitSettings.EXCHANGE.key(), EXCHANGE,
                RedisSettings.URL.key(), redis, RedisSettings.PREFIX.key(), prefix, "history.size", "1000"));
        Herald a = node(settings, rabbit);
        Herald b = node(settings, rabbit);
        try {
            ChannelName channel = ChannelName.of("/bench/cross/" + RandomIds.next(6));
            Histogram latency = new Histogram(3);
            CountDownLatch done = new CountDownLatch(messages);
            b.engine().subscribe(Principal.SERVER, channel, Resume.live(), new Subscriber() {
                @Override
                public boolean deliver(Message message) {
                    record(latency, message.payload().utf8());
                    done.countDown();
                    return true;
                }
            });
            Semaphore inFlight = new Semaphore(window);
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                inFlight.acquireUninterruptibly();
                a.engine().publishAsync(Principal.SERVER, Publication.json(channel, body()))
                        .whenComplete((m, e) -> inFlight.release());
            }
            if (!done.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException((rabbit ? "RabbitMQ" : "Redis") + ": " + done.getCount() + " messages never arrived");
            }
            return new Result(messages / ((System.nanoTime() - start) / 1e9), latency);
        } finally {
            a.stop();
            b.stop();
        }
    }

    private static Herald node(Settings settings, boolean rabbit) {
        Herald.Builder builder = Herald.builder().settings(settings).store(new RedisStoreModule(settings));
        if (rabbit) {
            builder.broker(new RabbitBrokerModule(settings));
        }
        return builder.build().start();
    }

    private static Result raw(String url, int messages, int window) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(url);
        if ("/".equals(java.net.URI.create(url).getRawPath())) {
            factory.setVirtualHost("/");
        }
        try (Connection publisher = factory.newConnection("herald-bench-raw-pub"); Connection consumer = factory.newConnection("herald-bench-raw-sub")) {
            String key = "bench.cross." + RandomIds.next(6);
            Channel in = consumer.createChannel();
            in.exchangeDeclare(EXCHANGE, BuiltinExchangeType.TOPIC, true);
            in.basicQos(1000);
            String queue = in.queueDeclare("", false, true, true, null).getQueue();
            in.queueBind(queue, EXCHANGE, key);
            Histogram latency = new Histogram(3);
            CountDownLatch done = new CountDownLatch(messages);
            in.basicConsume(queue, false, new DefaultConsumer(in) {
                private int unacked;

                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) throws java.io.IOException {
                    record(latency, new String(body, StandardCharsets.UTF_8));
                    done.countDown();
                    if (++unacked >= 250) {
                        unacked = 0;
                        getChannel().basicAck(envelope.getDeliveryTag(), true);
                    }
                }
            });
            Channel out = publisher.createChannel();
            out.confirmSelect();
            Semaphore inFlight = new Semaphore(window);
            java.util.concurrent.ConcurrentSkipListMap<Long, Boolean> outstanding = new java.util.concurrent.ConcurrentSkipListMap<>();
            out.addConfirmListener((tag, multiple) -> settle(outstanding, inFlight, tag, multiple), (tag, multiple) -> settle(outstanding, inFlight, tag, multiple));
            long start = System.nanoTime();
            for (long i = 1; i <= messages; i++) {
                inFlight.acquireUninterruptibly();
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId("m" + i).contentType("application/json").deliveryMode(1)
                        .headers(Map.of("herald-epoch", "benchepoch01", "herald-offset", i, "herald-timestamp", System.currentTimeMillis())).build();
                outstanding.put(out.getNextPublishSeqNo(), Boolean.TRUE);
                out.basicPublish(EXCHANGE, key, props, body().getBytes(StandardCharsets.UTF_8));
            }
            if (!done.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("raw: " + done.getCount() + " messages never arrived");
            }
            return new Result(messages / ((System.nanoTime() - start) / 1e9), latency);
        }
    }

    private static void settle(java.util.concurrent.ConcurrentSkipListMap<Long, Boolean> outstanding, Semaphore inFlight, long tag, boolean multiple) {
        if (multiple) {
            var head = outstanding.headMap(tag, true);
            int n = head.size();
            head.clear();
            inFlight.release(n);
        } else if (outstanding.remove(tag) != null) {
            inFlight.release();
        }
    }

    /** A 100-byte JSON body carrying its send time. */
    private static String body() {
        String t = Long.toString(System.nanoTime());
        return "{\"t\":" + t + ",\"p\":\"" + "x".repeat(Math.max(0, 100 - 14 - t.length())) + "\"}";
    }

    private static void record(Histogram latency, String body) {
        long sent = Long.parseLong(body.substring(5, body.indexOf(',')));
        latency.recordValue(Math.max(0, System.nanoTime() - sent));
    }

    private static double median(List<Result> results) {
        List<Double> rates = new ArrayList<>(results.stream().map(Result::rate).toList());
        Collections.sort(rates);
        return rates.get(rates.size() / 2);
    }
}
