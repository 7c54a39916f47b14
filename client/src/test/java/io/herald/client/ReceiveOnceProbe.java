package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Not part of the suite (no *Test suffix): ReceiveThroughputBench's shape (one client, one exact channel, 20,000
 * messages published in-process as fast as they go) over WebSocket and long polling, with batch acknowledgements
 * (the default), position acknowledgements and acknowledged mode, in rounds, counting handler calls per published
 * number: every message exactly once, in order. A failed run writes the client's protocol trace to
 * {@code target/once-trace-<run>.txt}. Run: -Dtest=ReceiveOnceProbe [-Dprobe.rounds=4] [-Dprobe.messages=20000]
 * [-Dprobe.transports=websocket,long-polling] [-Dprobe.modes=batch,position,acked]. {@code -Dprobe.stall=P,MS} makes the
 * handler stop for up to MS ms on a share P of its messages (seeded, the seed printed; {@code -Dprobe.seed=S} fixes
 * it), as a starved handler thread on a loaded machine does, and {@code -Dprobe.queue=N} sets the server's
 * {@code subscriber.queue} (1,024): both send the server's outbox-full paths (an acknowledged subscription pausing
 * and reading on from history; a cut-off and a resume from the cursor without acknowledgements) into the stream.
 */
class ReceiveOnceProbe {

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void everyMessageOnceInOrderAtFullRate() throws Exception {
        int rounds = Integer.getInteger("probe.rounds", 4);
        int messages = Integer.getInteger("probe.messages", 20_000);
        String[] transports = System.getProperty("probe.transports", "websocket,long-polling").split(",");
        String[] modes = System.getProperty("probe.modes", "batch,position,acked").split(",");
        String[] stall = System.getProperty("probe.stall", "0,0").split(",");
        long seed = Long.getLong("probe.seed", System.nanoTime());
        System.out.println("ReceiveOnceProbe seed " + seed + ", stall " + String.join(",", stall));
        java.util.Random random = new java.util.Random(seed);
        double stallShare = Double.parseDouble(stall[0]);
        int stallMillis = Integer.parseInt(stall[1]);
        List<String> failed = new ArrayList<>();
        Settings settings = Settings.defaults().with(CoreSettings.HISTORY_SIZE, "100000")
                .with(CoreSettings.SUBSCRIBER_QUEUE, System.getProperty("probe.queue", "1024"));
        try (TestHerald server = new TestHerald(settings, null)) {
            int run = 0;
            for (int round = 0; round < rounds; round++) {
                for (String transport : transports) {
                    for (String mode : modes) {
                        run++;
                        java.util.function.IntPredicate stalls = n -> stallShare > 0 && random.nextDouble() < stallShare;
                        String problem = once(server, "/once/" + transport + "/" + mode + "/" + round, transport, mode, messages, run,
                                n -> {
                                    if (stalls.test(n)) {
                                        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1 + random.nextInt(stallMillis)));
                                    }
                                });
                        System.out.printf("run %d, %s, %s, round %d: %s%n", run, transport, mode, round, problem == null ? "once, in order" : problem);
                        if (problem != null) {
                            failed.add("run " + run + " (" + transport + ", " + mode + "): " + problem);
                        }
                    }
                }
            }
        }
        assertThat(failed).isEmpty();
    }

    /** Null when the handler got every message once and in order, else what went wrong. */
    private static String once(TestHerald server, String channel, String transport, String mode, int messages, int run,
            java.util.function.IntConsumer handlerPause) throws Exception {
        ConcurrentLinkedQueue<String> trace = new ConcurrentLinkedQueue<>();
        BayeuxSession.trace = s -> trace.add(s.length() > 300 ? s.substring(0, 300) + "... (" + s.length() + " chars)" : s);
        HeraldClient client = HeraldClient.builder(server.bayeux()).transports(transport)
                .batchAcknowledgements(!mode.equals("position")).acknowledged(mode.equals("acked"))
                .onStateChange((state, cause) -> trace.add("STATE " + state + " " + cause)).build();
        int[] calls = new int[messages + 1]; // the last is the sentinel published after the others
        AtomicInteger handled = new AtomicInteger();
        AtomicInteger outOfOrder = new AtomicInteger();
        int[] last = {-1};
        List<String> repeats = new ArrayList<>();
        try {
            client.connect().get(10, TimeUnit.SECONDS);
            client.subscribe(channel, m -> { // one handler thread: plain fields are safe
                int n = m.data().path("n").asInt();
                handlerPause.accept(n);
                if (++calls[n] > 1 && repeats.size() < 10) {
                    repeats.add("n=" + n + " at " + m.position() + (m.redelivered() ? " (redelivered)" : ""));
                }
                if (n <= last[0]) {
                    outOfOrder.incrementAndGet();
                }
                last[0] = n;
                handled.incrementAndGet(); // after the writes above: what the test thread reads after it is current
            }).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < messages; i++) {
                server.herald.publish(ChannelName.of(channel), "{\"n\":" + i + ",\"text\":\"a message of some ordinary length\"}");
            }
            // In order, so a repeat of anything before the sentinel comes before it.
            server.herald.publish(ChannelName.of(channel), "{\"n\":" + messages + "}");
            await().atMost(Duration.ofSeconds(120)).until(() -> handled.get() > 0 && last[0] == messages);
        } finally {
            BayeuxSession.trace = null;
            client.close();
        }
        int repeated = 0;
        int missing = 0;
        for (int i = 0; i < messages; i++) {
            repeated += calls[i] > 1 ? 1 : 0;
            missing += calls[i] == 0 ? 1 : 0;
        }
        if (repeated == 0 && missing == 0 && outOfOrder.get() == 0 && handled.get() == messages + 1) {
            return null;
        }
        Path file = Path.of("target/once-trace-" + run + ".txt");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            trace.forEach(w::println);
        }
        return handled.get() + " handler calls for " + (messages + 1) + ", " + repeated + " repeated, " + missing + " missing, "
                + outOfOrder.get() + " out of order; first repeats " + repeats + "; trace in " + file.toAbsolutePath();
    }
}
