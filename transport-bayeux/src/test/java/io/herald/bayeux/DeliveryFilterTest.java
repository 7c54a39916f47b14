package io.herald.bayeux;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Position;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What one client's filter writes when queued messages, replays and rewinds interleave as they do in the outbox:
 * whatever was queued before a rewind, the client gets every position after the rewind's start once, in order.
 */
class DeliveryFilterTest {

    private static final ChannelName C = ChannelName.of("/c");

    private static Message at(long offset) {
        return new Message(C, new Position("e", offset), "m" + offset, null, Payload.copyOf(new byte[] {'1'}),
                null, Map.of(), Instant.EPOCH);
    }

    private static List<Long> written(DeliveryFilter filter, long... offsets) {
        List<Long> out = new ArrayList<>();
        for (long o : offsets) {
            if (filter.accept(at(o), false)) {
                out.add(o);
            }
        }
        return out;
    }

    private static long[] range(long from, long to) {
        long[] r = new long[(int) (to - from + 1)];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    @Test
    void queuedMessagesCannotOvertakeTheReplayOfARewind() {
        DeliveryFilter filter = new DeliveryFilter();
        assertThat(written(filter, range(1, 10))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        // The reply carrying 6..10 was lost; 11..12 were queued meanwhile; the client replays after 5.
        filter.rewind(C, new Position("e", 5), new Position("e", 10));
        List<Long> out = new ArrayList<>(written(filter, 11, 12));
        out.addAll(written(filter, range(6, 14)));
        assertThat(out).containsExactly(6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L);
    }

    // The loss the Java client's stress test found (seed 3444161561385, /stress/c5 missing 231..299): the client
    // was cut twice in a row and rejoined twice from the same position. The second rewind saw the first replay's
    // fresh cursor (its start) as "written", dropped the fence, and the messages queued before the first rewind
    // (300..) went out first, turning the replay of 231..299 into "repeats".
    @Test
    void aSecondRewindFromTheSamePositionKeepsTheFirstOnesFence() {
        DeliveryFilter filter = new DeliveryFilter();
        written(filter, range(1, 299));
        filter.rewind(C, new Position("e", 230), new Position("e", 299)); // first rejoin: queued 300..305 wait
        filter.rewind(C, new Position("e", 230), new Position("e", 230)); // second rejoin, nothing of the first drained
        List<Long> out = new ArrayList<>(written(filter, range(300, 305)));   // queued before the first rewind
        out.addAll(written(filter, range(231, 240)));                          // the first replay, cut short
        out.addAll(written(filter, range(231, 320)));                          // the second replay
        List<Long> expected = new ArrayList<>();
        for (long o = 231; o <= 320; o++) {
            expected.add(o);
        }
        assertThat(out).containsExactlyElementsOf(expected);
    }

    /**
     * A model of one client's outbox under random publishes, drains, lost replies and rejoins (each rejoin a
     * rewind from what the client has, taking the subscription's cursor as written, as the server does): once
     * everything is drained and delivered, the client, dropping what it already has, holds every position.
     */
    @Test
    void randomRewindsNeverLoseAPosition() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 2000; round++) {
            DeliveryFilter filter = new DeliveryFilter();
            List<Long> outbox = new ArrayList<>();
            List<Long> client = new ArrayList<>();
            long head = 0;
            long cursor = 0;
            boolean lostSinceRejoin = false;
            for (int step = 0; step < 80; step++) {
                int what = random.nextInt(10);
                if (what < 5) {
                    outbox.add(++head);
                } else if (what < 8) {
                    List<Long> frame = new ArrayList<>();
                    int n = outbox.isEmpty() ? 0 : 1 + random.nextInt(outbox.size());
                    for (int i = 0; i < n; i++) {
                        long o = outbox.remove(0);
                        if (filter.accept(at(o), false)) {
                            frame.add(o);
                        }
                        cursor = o; // the connection moves the cursor past every drained item
                    }
                    if (lostSinceRejoin || random.nextInt(3) == 0) {
                        lostSinceRejoin = true; // the reply is lost with its link; nothing more arrives until a rejoin
                    } else {
                        receive(client, frame);
                    }
                } else {
                    lostSinceRejoin = rejoin(filter, outbox, client, head, cursor);
                    cursor = last(client);
                }
            }
            if (lostSinceRejoin) {
                rejoin(filter, outbox, client, head, cursor);
            }
            List<Long> frame = new ArrayList<>();
            for (long o : outbox) {
                if (filter.accept(at(o), false)) {
                    frame.add(o);
                }
            }
            receive(client, frame);
            assertThat(client).as("seed %d round %d", seed, round)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, head).boxed().toList());
        }
    }

    private static long last(List<Long> client) {
        return client.isEmpty() ? 0 : client.get(client.size() - 1);
    }

    /** The client keeps what follows what it has, as Herald's client and Faye extension do. */
    private static void receive(List<Long> client, List<Long> frame) {
        for (long o : frame) {
            if (o > last(client)) {
                client.add(o);
            }
        }
    }

    /** A rejoin from what the client has: a new subscription replays the history after it, behind what is queued. */
    private static boolean rejoin(DeliveryFilter filter, List<Long> outbox, List<Long> client, long head, long cursor) {
        long has = last(client);
        filter.rewind(C, new Position("e", has), cursor == 0 ? null : new Position("e", cursor));
        for (long o = has + 1; o <= head; o++) {
            outbox.add(o);
        }
        return false;
    }
}
