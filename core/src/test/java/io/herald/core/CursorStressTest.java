package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A subscription's cursor is kept as an epoch and an offset (no reference stored per message): a reader on
 * another thread must still never see one epoch paired with another epoch's offset, however the writer's
 * moves and epoch changes interleave with it.
 */
class CursorStressTest {

    private static final ChannelName CHANNEL = ChannelName.of("/stress/cursor");

    @Test
    void readersNeverSeeAnEpochWithAnotherEpochsOffset() throws Exception {
        long seed = System.nanoTime();
        System.out.println("CursorStressTest seed " + seed);
        Random random = new Random(seed);
        // Offsets of epoch eK are K * 1,000,000 + i, so each read can be checked on its own.
        ConnectionSubscription subscription = new ConnectionSubscription(null, "k", CHANNEL, AckMode.AUTO, 0, true,
                new Position("e1", 1_000_000), null, java.util.Set.of(), null);
        int moves = 2_000_000;
        AtomicReference<String> torn = new AtomicReference<>();
        Thread[] readers = new Thread[2];
        Thread writer = new Thread(() -> {
            int epoch = 1;
            long offset = 0;
            for (int i = 0; i < moves; i++) {
                if (random.nextInt(50) == 0) {
                    epoch = 1 + random.nextInt(9);
                    offset = 0;
                }
                subscription.moveTo(new Position("e" + epoch, epoch * 1_000_000L + offset++));
            }
        });
        for (int r = 0; r < readers.length; r++) {
            readers[r] = new Thread(() -> {
                while (writer.isAlive() && torn.get() == null) {
                    Position p = subscription.cursor();
                    long epoch = Long.parseLong(p.epoch().substring(1));
                    if (p.offset() / 1_000_000 != epoch) {
                        torn.compareAndSet(null, p.toString());
                    }
                }
            });
        }
        writer.start();
        for (Thread reader : readers) {
            reader.start();
        }
        writer.join();
        for (Thread reader : readers) {
            reader.join();
        }
        assertThat(torn.get()).as("a cursor read pairing an epoch with another's offset (seed %d)", seed).isNull();
        assertThat(subscription.cursor()).as("the last move").isNotNull();
    }
}
