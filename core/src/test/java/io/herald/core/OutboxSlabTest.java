package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Outboxes whose first rings are segments of one {@link RingSlab}: each keeps its own items, in order. */
class OutboxSlabTest {

    @Test
    void theFirstRingIsASegmentOfTheSlabGivenBackCleared() {
        RingSlab slab = new RingSlab();
        Outbox outbox = new Outbox(64, () -> { }, slab);
        RingSlab.Taken first = slab.take();
        slab.giveBack(first.array(), first.start());

        outbox.offer("a");
        outbox.offer("b");
        RingSlab.Taken next = slab.take();
        assertThat(next.array()).as("cut from the same array").isSameAs(first.array());
        assertThat(next.start()).as("the outbox holds the segment it took").isNotEqualTo(first.start());

        outbox.close();
        RingSlab.Taken again = slab.take();
        assertThat(again.start()).as("given back on close").isEqualTo(first.start());
        for (int i = again.start(); i < again.start() + RingSlab.SEGMENT; i++) {
            assertThat(again.array()[i]).as("slot %d cleared", i).isNull();
        }
    }

    @Test
    void aRingThatOutgrowsItsSegmentKeepsOrderAndGivesTheSegmentBack() {
        RingSlab slab = new RingSlab();
        Outbox outbox = new Outbox(100, () -> { }, slab);
        for (int i = 0; i < 10; i++) {
            outbox.offer(i);
        }
        List<Object> out = new ArrayList<>();
        outbox.drainTo(out, 7); // the ring now wraps inside its segment
        for (int i = 10; i < 60; i++) {
            assertThat(outbox.offer(i)).isTrue();
        }
        RingSlab.Taken taken = slab.take();
        assertThat(taken.start()).as("the outgrown segment came back").isZero();
        for (int i = 0; i < RingSlab.SEGMENT; i++) {
            assertThat(taken.array()[i]).isNull();
        }
        outbox.drainTo(out, 100);
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            expected.add(i);
        }
        assertThat(out).isEqualTo(expected);
    }

    @Test
    void smallCapacitiesKeepArraysOfTheirOwn() {
        RingSlab slab = new RingSlab();
        Outbox outbox = new Outbox(RingSlab.SEGMENT - 1, () -> { }, slab);
        outbox.offer("a");
        assertThat(slab.take().start()).as("nothing taken from the slab").isZero();
        assertThat(outbox.poll()).isEqualTo("a");
    }

    /** Many outboxes on one slab, opened, filled, drained and closed at random against a model of each. */
    @Test
    void outboxesOnOneSlabNeverSeeEachOthersItems() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            RingSlab slab = new RingSlab();
            int count = 40;
            Outbox[] boxes = new Outbox[count];
            List<ArrayDeque<Object>> models = new ArrayList<>();
            int[] capacities = new int[count];
            for (int i = 0; i < count; i++) {
                capacities[i] = 1 + random.nextInt(48);
                boxes[i] = new Outbox(capacities[i], () -> { }, slab);
                models.add(new ArrayDeque<>());
            }
            long next = 0;
            for (int step = 0; step < 20_000; step++) {
                int i = random.nextInt(count);
                Outbox box = boxes[i];
                ArrayDeque<Object> model = models.get(i);
                int op = random.nextInt(100);
                if (op < 50) {
                    String item = i + ":" + next++;
                    boolean accepted = box.offer(item);
                    assertThat(accepted).as("seed %d: offer with %d of %d queued", seed, model.size(), capacities[i])
                            .isEqualTo(model.size() < capacities[i]);
                    if (accepted) {
                        model.add(item);
                    }
                } else if (op < 53) {
                    String gap = i + ":gap" + next++;
                    assertThat(box.offerAlways(gap)).isTrue();
                    model.add(gap);
                } else if (op < 95) {
                    assertThat(box.peek()).as("seed %d", seed).isEqualTo(model.peek());
                    assertThat(box.poll()).as("seed %d", seed).isEqualTo(model.poll());
                } else {
                    box.close();
                    capacities[i] = 1 + random.nextInt(48);
                    boxes[i] = new Outbox(capacities[i], () -> { }, slab);
                    model.clear();
                }
                assertThat(boxes[i].size()).isEqualTo(model.size());
            }
            for (int i = 0; i < count; i++) {
                List<Object> out = new ArrayList<>();
                boxes[i].drainTo(out, Integer.MAX_VALUE);
                assertThat(out).as("seed %d, outbox %d", seed, i).containsExactlyElementsOf(models.get(i));
            }
        }
    }
}
