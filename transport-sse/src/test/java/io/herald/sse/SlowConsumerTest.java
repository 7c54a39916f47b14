package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.api.ChannelName;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * G6: a client that reads too slowly is cut off after what fits is flushed, and comes back with its last
 * id to get the rest from history; the fast clients never notice, and no queue grows past its bound.
 */
class SlowConsumerTest {

    private static final ChannelName FEED = ChannelName.of("/feed");

    /**
     * A reconnecting client: reads events with an optional pause per event, reconnects with the id of the
     * last event it got whenever the server ends the stream, until it has {@code expected} messages.
     */
    static final class ReconnectingReader implements Runnable {
        final URI base;
        final boolean slow;
        final int expected;
        final java.util.function.BooleanSupplier resumeReading;
        boolean stalled;
        final List<Integer> received = new ArrayList<>();
        volatile int connections;
        volatile Throwable failure;
        String lastId;

        /** A slow reader stops reading after its first event until {@code resumeReading} says so. */
        ReconnectingReader(URI base, boolean slow, int expected, java.util.function.BooleanSupplier resumeReading) {
            this.base = base;
            this.slow = slow;
            this.expected = expected;
            this.resumeReading = resumeReading;
        }

        @Override
        public void run() {
            try {
                while (received.size() < expected) {
                    readOnce();
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        private void readOnce() throws IOException {
            connections++;
            try (Socket socket = new Socket()) {
                if (slow) {
                    socket.setReceiveBufferSize(8192);
                }
                socket.connect(new InetSocketAddress(base.getHost(), base.getPort()));
                socket.setSoTimeout(60_000);
                String query = "/sse?channel=feed" + (lastId == null ? "" : "&lastEventId=" + lastId);
                OutputStream out = socket.getOutputStream();
                out.write(("GET " + query + " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII), 512);
                String line;
                String id = null;
                String data = null;
                String type = null;
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while ((line = in.readLine()) != null) {
                    // Chunk sizes and CRLFs of the chunked framing are dropped; events are \n-terminated lines.
                    if (line.equals("0")) {
                        // The last chunk: the server ended the stream (the connection itself stays open).
                        return;
                    }
                    if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        type = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data = line.substring(6);
                    } else if (line.isEmpty() && data != null) {
                        if (slow && !stalled) {
                            stalled = true;
                            await().atMost(Duration.ofSeconds(60)).until(resumeReading::getAsBoolean);
                        }
                        if (type == null) {
                            received.add(Integer.parseInt(data.substring(5, data.indexOf(','))));
                            if (slow && random.nextInt(16) == 0) {
                                LockSupport.parkNanos(200_000);
                            }
                        }
                        lastId = id;
                        data = null;
                        type = null;
                        if (received.size() >= expected) {
                            return;
                        }
                    }
                }
            }
        }
    }

    private static String payload(int i) {
        return "{\"i\":" + i + ",\"pad\":\"" + "x".repeat(1000) + "\"}";
    }

    @Test
    void aClientThatStopsReadingIsCutOffAndResumesWithoutLoss() throws Exception {
        int total = 3000;
        Settings settings = Settings.defaults().with(CoreSettings.HISTORY_SIZE, String.valueOf(total))
                .with(CoreSettings.SUBSCRIBER_QUEUE, "64");
        try (SseServer server = new SseServer(settings)) {
            AtomicBoolean published = new AtomicBoolean();
            ReconnectingReader reader = new ReconnectingReader(server.uri, true, total, published::get);
            Thread thread = new Thread(reader);
            thread.start();
            await().until(() -> server.transport().stats.connected.get() == 1);
            for (int i = 0; i < total; i++) {
                server.herald.publish(FEED, payload(i));
            }
            published.set(true);
            thread.join(Duration.ofSeconds(60).toMillis());
            assertThat(reader.failure).isNull();
            assertThat(reader.received).hasSize(total).isSorted().doesNotHaveDuplicates();
            assertThat(server.transport().stats.cutOffs.sum()).isGreaterThanOrEqualTo(1);
            assertThat(reader.connections).isGreaterThan(1);
        }
    }

    @Test
    void twoHundredClientsAThirdOfThemSlowAllEndWithEverythingAndQueuesStayBounded() throws Exception {
        int total = 500;
        int capacity = 32;
        AtomicBoolean publishedAll = new AtomicBoolean();
        Settings settings = Settings.defaults().with(CoreSettings.HISTORY_SIZE, String.valueOf(total))
                .with(CoreSettings.SUBSCRIBER_QUEUE, String.valueOf(capacity));
        try (SseServer server = new SseServer(settings)) {
            List<ReconnectingReader> readers = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < 200; c++) {
                ReconnectingReader reader = new ReconnectingReader(server.uri, c % 3 == 0, total, publishedAll::get);
                readers.add(reader);
                Thread thread = new Thread(reader, "reader-" + c);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> server.transport().stats.connected.get() == 200);
            AtomicLong maxQueued = new AtomicLong();
            AtomicInteger published = new AtomicInteger();
            Thread publisher = new Thread(() -> {
                for (int i = 0; i < total; i++) {
                    server.herald.publish(FEED, payload(i));
                    published.incrementAndGet();
                    if (i % 50 == 0) {
                        for (SseConnection connection : server.transport().connections) {
                            maxQueued.accumulateAndGet(connection.queued(), Math::max);
                        }
                    }
                }
            });
            publisher.start();
            publisher.join();
            publishedAll.set(true);
            for (Thread thread : threads) {
                thread.join(Duration.ofSeconds(90).toMillis());
            }
            for (ReconnectingReader reader : readers) {
                assertThat(reader.failure).isNull();
                assertThat(reader.received).as("slow=%s", reader.slow).hasSize(total).isSorted().doesNotHaveDuplicates();
            }
            assertThat(maxQueued.get()).isLessThanOrEqualTo(capacity);
            assertThat(server.transport().stats.cutOffs.sum()).isGreaterThanOrEqualTo(readers.size() / 3);
            assertThat(readers.stream().filter(r -> r.slow).allMatch(r -> r.connections > 1)).as("every slow reader was cut off").isTrue();
        }
    }
}
