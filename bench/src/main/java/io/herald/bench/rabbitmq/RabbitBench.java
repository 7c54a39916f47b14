package io.herald.bench.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ConfirmListener;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.core.Herald;
import io.herald.core.config.Settings;
import io.herald.rabbitmq.RabbitBrokerModule;
import io.herald.rabbitmq.RabbitSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;

/**
 * Publish throughput with publisher confirms: Herald's {@code publishAsync} through the {@code rabbitmq}
 * broker (memory history, so the broker is what is measured), beside the raw amqp-client publishing the
 * same messages (same routing key, same headers, same body) on the same exchange with confirms, the same
 * number in flight, in the same run. Rounds alternate Herald and raw; the report gives each round and the
 * medians. Prints Markdown.
 *
 * <pre>
 * java -cp bench/target/herald-benchmarks.jar io.herald.bench.rabbitmq.RabbitBench \
 *     [--url amqp://guest:guest@127.0.0.1:5672/] [--messages 50000] [--rounds 5] [--window 256] [--payload 100]
 * </pre>
 * Not thread-safe; run one at a time (it measures the machine).
 */
public final class RabbitBench {

    private static final String EXCHANGE = "herald.bench";

    public static void main(String[] args) throws Exception {
        String url = "amqp://guest:guest@127.0.0.1:5672/";
        int messages = 50_000;
        int rounds = 5;
        int window = 256;
        int payload = 100;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--messages" -> messages = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--window" -> window = Integer.parseInt(args[i + 1]);
                case "--payload" -> payload = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--url, --messages, --rounds, --window, --payload)");
            }
        }
        System.out.print(run(url, messages, rounds, window, payload));
    }

    /** Runs the comparison and returns the Markdown report. */
    public static String run(String url, int messages, int rounds, int window, int payload) throws Exception {
        String json = "{\"p\":\"" + "x".repeat(Math.max(0, payload - 8)) + "\"}";
        Settings settings = Settings.of(Map.of(RabbitSettings.URL.key(), url, RabbitSettings.EXCHANGE.key(), EXCHANGE, "history.size", "1000"));
        Herald herald = Herald.builder().settings(settings).broker(new RabbitBrokerModule(settings)).build().start();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(url);
        if ("/".equals(java.net.URI.create(url).getRawPath())) {
            factory.setVirtualHost("/"); // as the broker reads amqp://host/
        }
        StringBuilder report = new StringBuilder();
        List<Double> heraldRates = new ArrayList<>();
        List<Double> rawRates = new ArrayList<>();
        try (Connection raw = factory.newConnection("herald-bench-raw")) {
            Channel channel = raw.createChannel();
            channel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.TOPIC, true);
            channel.confirmSelect();
            RawConfirms confirms = new RawConfirms();
            channel.addConfirmListener(confirms);
            ChannelName name = ChannelName.of("/bench/rabbitmq/publish");
            // Warm both paths once, unmeasured.
            herald(herald, name, json, messages / 5, window);
            raw(channel, confirms, name, json, messages / 5, window);
            report.append(String.format(Locale.ROOT, "| round | Herald publishAsync msg/s | raw amqp-client msg/s | Herald / raw |%n|---:|---:|---:|---:|%n"));
            for (int r = 1; r <= rounds; r++) {
                double h = herald(herald, name, json, messages, window);
                double w = raw(channel, confirms, name, json, messages, window);
                heraldRates.add(h);
                rawRates.add(w);
                report.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %.0f%% |%n", r, h, w, 100 * h / w));
            }
        } finally {
            herald.stop();
        }
        double h = median(heraldRates);
        double w = median(rawRates);
        report.append(String.format(Locale.ROOT, "| median | %,.0f | %,.0f | %.0f%% |%n", h, w, 100 * h / w));
        report.append(String.format(Locale.ROOT, "%n%d messages per round, %d in flight, payload %d bytes, %d CPUs, %s %s%n",
                messages, window, payload, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version")));
        return report.toString();
    }

    private static double herald(Herald herald, ChannelName channel, String json, int messages, int window) {
        Semaphore inFlight = new Semaphore(window);
        long start = System.nanoTime();
        CompletableFuture<Message> f = null;
        for (int i = 0; i < messages; i++) {
            inFlight.acquireUninterruptibly();
            f = herald.engine().publishAsync(Principal.SERVER, Publication.json(channel, json));
            f.whenComplete((m, e) -> inFlight.release());
        }
        inFlight.acquireUninterruptibly(window);
        long elapsed = System.nanoTime() - start;
        if (f != null) {
            f.join(); // a failed publish fails the benchmark
        }
        return messages / (elapsed / 1e9);
    }

    private static double raw(Channel channel, RawConfirms confirms, ChannelName name, String json, int messages, int window) throws Exception {
        Semaphore inFlight = new Semaphore(window);
        confirms.inFlight = inFlight;
        String key = name.value().substring(1).replace('/', '.');
        byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long start = System.nanoTime();
        for (long i = 1; i <= messages; i++) {
            inFlight.acquireUninterruptibly();
            // The headers Herald sends, so both carry the same bytes.
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId("m" + i).contentType("application/json").deliveryMode(1)
                    .headers(Map.of("herald-epoch", "benchepoch01", "herald-offset", i, "herald-timestamp", System.currentTimeMillis())).build();
            confirms.outstanding.put(channel.getNextPublishSeqNo(), Boolean.TRUE);
            channel.basicPublish(EXCHANGE, key, props, body);
        }
        inFlight.acquireUninterruptibly(window);
        long elapsed = System.nanoTime() - start;
        if (confirms.nacks > 0) {
            throw new IllegalStateException("RabbitMQ nacked " + confirms.nacks + " raw publishes");
        }
        return messages / (elapsed / 1e9);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /** The raw publisher's confirm tracking: the textbook one, a sorted map settled by delivery tag. */
    private static final class RawConfirms implements ConfirmListener {
        final ConcurrentNavigableMap<Long, Boolean> outstanding = new ConcurrentSkipListMap<>();
        volatile Semaphore inFlight;
        volatile int nacks;

        @Override
        public void handleAck(long tag, boolean multiple) {
            settle(tag, multiple);
        }

        @Override
        public void handleNack(long tag, boolean multiple) {
            nacks++;
            settle(tag, multiple);
        }

        private void settle(long tag, boolean multiple) {
            int n = 0;
            if (multiple) {
                var head = outstanding.headMap(tag, true);
                n = head.size();
                head.clear();
            } else if (outstanding.remove(tag) != null) {
                n = 1;
            }
            inFlight.release(n);
        }
    }
}
