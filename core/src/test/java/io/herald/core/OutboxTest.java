package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutboxTest {

    @Test
    void refusesBeyondCapacityAndWakesTheWriterOnFirstItem() {
        AtomicInteger wakes = new AtomicInteger();
        Outbox outbox = new Outbox(2, wakes::incrementAndGet);
        assertThat(outbox.offer("a")).isTrue();
        assertThat(outbox.offer("b")).isTrue();
        assertThat(outbox.offer("c")).isFalse();
        assertThat(wakes).hasValue(1);
        List<Object> out = new ArrayList<>();
        assertThat(outbox.drainTo(out, 10)).isEqualTo(2);
        assertThat(out).containsExactly("a", "b");
        outbox.offer("d");
        assertThat(wakes).hasValue(2);
    }

    @Test
    void noticesOverflowInOrder() {
        Outbox outbox = new Outbox(2, () -> { });
        outbox.offer("a");
        outbox.offer("b");
        outbox.offerAlways("gap");
        assertThat(outbox.offer("c")).isFalse();
        List<Object> out = new ArrayList<>();
        outbox.drainTo(out, 1);
        assertThat(outbox.offer("c")).as("b and the gap fill it").isFalse();
        outbox.drainTo(out, 1);
        assertThat(outbox.offer("c")).isTrue();
        outbox.drainTo(out, 10);
        assertThat(out).containsExactly("a", "b", "gap", "c");
    }

    @Test
    void roomWaitersRunOnceHalfIsFree() {
        Outbox outbox = new Outbox(4, () -> { });
        for (int i = 0; i < 4; i++) {
            outbox.offer(i);
        }
        AtomicInteger ran = new AtomicInteger();
        outbox.whenRoom(ran::incrementAndGet);
        outbox.drainTo(new ArrayList<>(), 1);
        assertThat(ran).hasValue(0);
        outbox.drainTo(new ArrayList<>(), 1);
        assertThat(ran).hasValue(1);
        outbox.whenRoom(ran::incrementAndGet);
        assertThat(ran).hasValue(2);
    }

    @Test
    void closedOutboxesRefuseEverything() {
        Outbox outbox = new Outbox(4, () -> { });
        outbox.offer("a");
        outbox.close();
        assertThat(outbox.offer("b")).isFalse();
        assertThat(outbox.offerAlways("c")).isFalse();
        assertThat(outbox.isEmpty()).isTrue();
        assertThat(outbox.room()).isZero();
    }

    @Test
    void growsToCapacityAndKeepsOrder() {
        Outbox outbox = new Outbox(100, () -> { });
        List<Object> out = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 100; i++) {
                assertThat(outbox.offer(round * 1000 + i)).isTrue();
            }
            assertThat(outbox.offer("full")).isFalse();
            outbox.drainTo(out, 37);
            outbox.drainTo(out, 1000);
        }
        assertThat(out).hasSize(300).startsWith(0, 1, 2).endsWith(2098, 2099);
    }

    @Test
    void aSealedOutboxStillDrainsWhatItHolds() {
        Outbox outbox = new Outbox(4, () -> { });
        outbox.offer("a");
        outbox.seal();
        assertThat(outbox.offer("b")).isFalse();
        assertThat(outbox.room()).isZero();
        List<Object> out = new ArrayList<>();
        outbox.drainTo(out, 10);
        assertThat(out).containsExactly("a");
    }

    @Test
    void pollTakesOneItemAtATimeOverflowIncludedAndNullWhenEmpty() {
        Outbox outbox = new Outbox(2, () -> { });
        assertThat(outbox.poll()).isNull();
        outbox.offer("a");
        outbox.offer("b");
        outbox.offerAlways("gap");
        assertThat(outbox.poll()).isEqualTo("a");
        assertThat(outbox.offer("c")).as("b and the gap fill it").isFalse();
        assertThat(outbox.poll()).isEqualTo("b");
        assertThat(outbox.offer("c")).isTrue();
        assertThat(outbox.poll()).isEqualTo("gap");
        assertThat(outbox.poll()).isEqualTo("c");
        assertThat(outbox.poll()).isNull();
        assertThat(outbox.isEmpty()).isTrue();
    }

    @Test
    void peekShowsWhatPollTakesNextAndLeavesIt() {
        Outbox outbox = new Outbox(1, () -> { });
        assertThat(outbox.peek()).isNull();
        outbox.offer("a");
        outbox.offerAlways("gap"); // over capacity: waits in the overflow
        assertThat(outbox.peek()).isEqualTo("a");
        assertThat(outbox.peek()).as("still there").isEqualTo("a");
        assertThat(outbox.size()).isEqualTo(2);
        assertThat(outbox.poll()).isEqualTo("a");
        assertThat(outbox.peek()).isEqualTo("gap");
        assertThat(outbox.poll()).isEqualTo("gap");
        assertThat(outbox.peek()).isNull();
    }
}
