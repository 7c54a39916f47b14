package io.herald.bayeux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.http.DirectWebSocket;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.io.ByteArrayEndPoint;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The writer of a Bayeux WebSocket's frames, on an in-memory endpoint whose output holds a chosen number of bytes
 * (a socket whose send buffer is full until the test takes what was written): one frame per push with every
 * delivery in order, what was queued during a write leaving in the next, the shared single-delivery frame, a failed
 * socket, and order under concurrent senders.
 */
class BayeuxSocketWriterTest {

    private static byte[] delivery(String data) {
        return ("{\"channel\":\"/w/a\",\"data\":" + data + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** The endpoint's output as whole frames: the text of each (the test's frames are all final, unmasked). */
    private static List<String> frames(byte[] bytes) {
        List<String> frames = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            assertThat(bytes[at] & 0x80).as("FIN").isEqualTo(0x80);
            int length = bytes[at + 1] & 0x7F;
            int header = 2;
            if (length == 126) {
                length = ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF);
                header = 4;
            } else if (length == 127) {
                length = (int) ByteBuffer.wrap(bytes, at + 2, 8).getLong();
                header = 10;
            }
            String prefix = (bytes[at] & 0x0F) == DirectWebSocket.PONG ? "pong:" : "";
            frames.add(prefix + new String(bytes, at + header, length, StandardCharsets.UTF_8));
            at += header + length;
        }
        return frames;
    }

    private static byte[] take(ByteArrayEndPoint endPoint) {
        ByteBuffer out = endPoint.takeOutput();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    @Test
    @DisplayName("a push of several deliveries is one text frame holding them all, in order, then its written runs")
    void severalDeliveriesOneFrame() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 1 << 16);
        BayeuxSocketWriter writer = new BayeuxSocketWriter(new DirectWebSocket(endPoint), failure -> { });
        AtomicInteger written = new AtomicInteger();
        writer.send(List.of(), List.of(delivery("1"), delivery("2"), delivery("3")), written::incrementAndGet);
        assertThat(frames(take(endPoint))).containsExactly(
                "[{\"channel\":\"/w/a\",\"data\":1},{\"channel\":\"/w/a\",\"data\":2},{\"channel\":\"/w/a\",\"data\":3}]");
        assertThat(written).hasValue(1);
    }

    @Test
    @DisplayName("frames queued while a write is in flight leave after it, in call order, and each written runs only once its bytes left")
    void queuedDuringAWriteLeaveTogether() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 16);
        BayeuxSocketWriter writer = new BayeuxSocketWriter(new DirectWebSocket(endPoint), failure -> { });
        List<String> written = new CopyOnWriteArrayList<>();
        writer.send(List.of(), List.of(delivery("1")), () -> written.add("push 1"));
        ObjectNode reply = JsonNodeFactory.instance.objectNode().put("channel", "/meta/subscribe").put("successful", true);
        writer.send(List.of(reply), List.of());
        writer.pong(new byte[] {'p'});
        writer.send(List.of(), List.of(delivery("2"), delivery("3")), () -> written.add("push 2"));
        assertThat(written).as("the first write is stuck in the full output").isEmpty();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 100 && written.size() < 2; i++) {
            out.writeBytes(take(endPoint));
        }
        out.writeBytes(take(endPoint));
        assertThat(frames(out.toByteArray())).containsExactly(
                "[{\"channel\":\"/w/a\",\"data\":1}]",
                "[{\"channel\":\"/meta/subscribe\",\"successful\":true}]",
                "pong:p",
                "[{\"channel\":\"/w/a\",\"data\":2},{\"channel\":\"/w/a\",\"data\":3}]");
        assertThat(written).containsExactly("push 1", "push 2");
    }

    @Test
    @DisplayName("a delivery pushed alone is the same framed bytes for every socket, each with a view of its own")
    void singleDeliveryFrameIsShared() {
        byte[] shared = delivery("{\"n\":7}");
        ByteBuffer first = BayeuxSocketWriter.single(shared);
        ByteBuffer second = BayeuxSocketWriter.single(shared);
        assertThat(second).isNotSameAs(first);
        assertThat(second.array()).isSameAs(first.array());
        byte[] bytes = new byte[first.remaining()];
        first.get(bytes);
        assertThat(frames(bytes)).containsExactly("[{\"channel\":\"/w/a\",\"data\":{\"n\":7}}]");
        assertThat(second.remaining()).as("reading one view leaves the other whole").isEqualTo(bytes.length);
        // A frame of 126 bytes or more takes the 16-bit length.
        byte[] large = delivery("\"" + "x".repeat(300) + "\"");
        ByteBuffer framed = BayeuxSocketWriter.single(large);
        byte[] largeBytes = new byte[framed.remaining()];
        framed.get(largeBytes);
        assertThat(frames(largeBytes)).containsExactly("[" + new String(large, StandardCharsets.UTF_8) + "]");
    }

    @Test
    @DisplayName("a failed socket: what was in flight and queued gets its written run, later frames too, and the link is told once")
    void failureRunsEveryWritten() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 16);
        AtomicInteger failures = new AtomicInteger();
        BayeuxSocketWriter writer = new BayeuxSocketWriter(new DirectWebSocket(endPoint), failure -> failures.incrementAndGet());
        AtomicInteger written = new AtomicInteger();
        writer.send(List.of(), List.of(delivery("1")), written::incrementAndGet);
        writer.send(List.of(), List.of(delivery("2")), written::incrementAndGet);
        assertThat(written).hasValue(0);
        endPoint.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> written.get() == 2);
        writer.send(List.of(), List.of(delivery("3")), written::incrementAndGet);
        assertThat(written).hasValue(3);
        assertThat(failures).hasValue(1);
        assertThat(writer.isDone()).isTrue();
    }

    @Test
    @DisplayName("stress: many threads sending on one slow socket: every frame whole, once, in each sender's order (seeded)")
    void concurrentSendersKeepTheirOrder() throws Exception {
        for (long seed : new long[] {1L, 42L, 20261205L}) {
            Random random = new Random(seed);
            ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 64 + random.nextInt(512));
            BayeuxSocketWriter writer = new BayeuxSocketWriter(new DirectWebSocket(endPoint), failure -> { });
            int senders = 6;
            int perSender = 400;
            AtomicInteger written = new AtomicInteger();
            List<Integer> writtenOrder = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < senders; t++) {
                int sender = t;
                long senderSeed = random.nextLong();
                threads.add(new Thread(() -> {
                    Random r = new Random(senderSeed);
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perSender; i++) {
                        int n = 1 + r.nextInt(4);
                        List<byte[]> deliveries = new ArrayList<>();
                        for (int k = 0; k < n; k++) {
                            deliveries.add(delivery("[" + sender + "," + i + "," + k + "]"));
                        }
                        int id = sender * perSender + i;
                        writer.send(List.of(), deliveries, () -> {
                            writtenOrder.add(id);
                            written.incrementAndGet();
                        });
                        if (r.nextInt(8) == 0) {
                            LockSupport.parkNanos(r.nextInt(200_000)); // jitter, not a wait
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            start.countDown();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            AtomicBoolean done = new AtomicBoolean();
            while (!done.get()) {
                out.writeBytes(take(endPoint));
                if (random.nextInt(4) == 0) {
                    LockSupport.parkNanos(random.nextInt(100_000));
                }
                done.set(written.get() == senders * perSender && threads.stream().noneMatch(Thread::isAlive));
            }
            out.writeBytes(take(endPoint));
            for (Thread t : threads) {
                t.join();
            }
            int[] next = new int[senders];
            List<String> frames = frames(out.toByteArray());
            assertThat(frames).as("seed %d", seed).hasSize(senders * perSender);
            for (String frame : frames) {
                com.fasterxml.jackson.databind.JsonNode array = BayeuxCodec.MAPPER.readTree(frame);
                int sender = array.get(0).get("data").get(0).asInt();
                int i = array.get(0).get("data").get(1).asInt();
                assertThat(i).as("seed %d, sender %d's frames in its order", seed, sender).isEqualTo(next[sender]++);
                for (int k = 0; k < array.size(); k++) {
                    assertThat(array.get(k).get("data").toString()).isEqualTo("[" + sender + "," + i + "," + k + "]");
                }
            }
            assertThat(written).as("seed %d", seed).hasValue(senders * perSender);
            assertThat(writtenOrder).as("seed %d: each written once", seed).doesNotHaveDuplicates();
        }
    }
}
