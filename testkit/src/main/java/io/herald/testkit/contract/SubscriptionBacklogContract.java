package io.herald.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.api.ChannelName;
import io.herald.api.InvalidRequestException;
import io.herald.api.Message;
import io.herald.api.Position;
import io.herald.api.Publication;
import io.herald.api.SubscriptionBacklog;
import io.herald.core.RandomIds;
import io.herald.testkit.TestEnvironment;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link SubscriptionBacklog}, as its Javadoc states it: every backlog that keeps messages
 * runs it ({@link SubscriptionBacklog#NONE} keeps none and fails it, see the kit's self-test).
 *
 * <p>A backend extends this class, makes a backlog, and says how a message reaches the channel the backlog
 * listens to (the RabbitMQ backlog's queues are bound on the exchange its broker publishes to):
 * <pre>{@code
 * class RabbitBacklogContractTest extends SubscriptionBacklogContract {
 *     protected SubscriptionBacklog createBacklog() { ... }
 *     protected void publish(Message message) { broker.publish(message); }
 * }
 * }</pre>
 * Backlogs are made in {@code @BeforeEach}, started if they are a {@link io.herald.api.Lifecycle}, stopped
 * in {@code @AfterEach}; every name a test opens is deleted then. Channels and names are under a namespace
 * of the test's own. Test names read {@code required_backlog_<group>_<n>_<rule>}. Not thread-safe.
 */
public abstract class SubscriptionBacklogContract {

    /** The epoch of the positions the kit publishes. */
    protected static final String EPOCH = "backlog";

    private final Map<ChannelName, AtomicLong> offsets = new ConcurrentHashMap<>();
    private final List<String> opened = new ArrayList<>();
    private TestEnvironment env;
    private SubscriptionBacklog backlog;
    private String namespace;

    /** Makes a fresh backlog; it is started if it is a {@code Lifecycle}. */
    protected abstract SubscriptionBacklog createBacklog();

    /** Publishes {@code message} so that a backlog open for its channel keeps it; returns once it is kept. */
    protected abstract void publish(Message message);

    /** A name the backlog refuses, or {@code null} when it accepts every non-empty name. */
    protected String invalidName() {
        return null;
    }

    /** Stops a backlog made by {@link #createBacklog}. */
    protected void closeBacklog(SubscriptionBacklog backlog) throws Exception {
        Lifecycles.stop(backlog);
    }

    /** Timeouts; {@link TestEnvironment#fromEnvironment()} unless overridden. */
    protected TestEnvironment environment() {
        return TestEnvironment.fromEnvironment();
    }

    @BeforeEach
    final void setUpBacklog() {
        env = environment();
        namespace = "k" + RandomIds.next(10);
        backlog = createBacklog();
        Lifecycles.start(backlog);
    }

    @AfterEach
    final void tearDownBacklog() throws Exception {
        try {
            for (String name : opened) {
                backlog.delete(name);
            }
        } finally {
            closeBacklog(backlog);
        }
    }

    // --- helpers ---

    private ChannelName channel(String path) {
        return ChannelName.of("/" + namespace + path);
    }

    private String opened(String suffix, ChannelName channel) {
        String name = "herald.contract." + namespace + "." + suffix;
        backlog.open(name, channel);
        opened.add(name);
        return name;
    }

    private Message message(ChannelName channel, String epoch) {
        long offset = offsets.computeIfAbsent(channel, c -> new AtomicLong()).incrementAndGet();
        Message m = Message.of(Publication.json(channel, "{\"n\":" + offset + "}"), new Position(epoch, offset),
                namespace + "." + epoch + "." + offset, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        publish(m);
        return m;
    }

    private List<Message> publishAll(ChannelName channel, int count) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(message(channel, EPOCH));
        }
        return out;
    }

    private static Position before(String epoch) {
        return Position.start(epoch);
    }

    /** Everything kept after {@code after}, read in pages of {@code page}. */
    private List<Message> readAll(String name, Position after, int page) {
        List<Message> all = new ArrayList<>();
        Position from = after;
        while (true) {
            List<Message> got = backlog.read(name, from, page);
            assertThat(got.size()).as("a read of %s returns at most its limit %s", name, page).isLessThanOrEqualTo(page);
            all.addAll(got);
            if (got.size() < page) {
                return all;
            }
            from = got.get(got.size() - 1).position();
        }
    }

    private void awaitKept(String name, List<Message> expected, String what) {
        env.await(what).until(() -> backlog.read(name, before(EPOCH), expected.size() + 10).equals(expected));
    }

    // --- the contract ---

    @Nested
    @DisplayName("1. keeping")
    class Keeping {

        @Test
        @DisplayName("every message published after open is kept, intact, in position order")
        void required_backlog_1_1_keepsEverythingAfterOpenInOrder() {
            ChannelName channel = channel("/orders");
            String name = opened("a", channel);
            List<Message> published = publishAll(channel, 300);
            assertThat(readAll(name, before(EPOCH), 64)).as("what backlog %s keeps", name).isEqualTo(published);
        }

        @Test
        @DisplayName("what was published before open is not kept")
        void required_backlog_1_2_nothingFromBeforeOpen() {
            ChannelName channel = channel("/orders");
            publishAll(channel, 5);
            String name = opened("a", channel);
            List<Message> after = publishAll(channel, 5);
            assertThat(readAll(name, before(EPOCH), 100)).isEqualTo(after);
        }

        @Test
        @DisplayName("only the channel's messages are kept, and each backlog of a channel keeps them all")
        void required_backlog_1_3_perChannelPerName() {
            ChannelName channel = channel("/orders");
            ChannelName other = channel("/orders2");
            String a = opened("a", channel);
            String b = opened("b", channel);
            List<Message> published = publishAll(channel, 20);
            publishAll(other, 7);
            assertThat(readAll(a, before(EPOCH), 100)).isEqualTo(published);
            assertThat(readAll(b, before(EPOCH), 100)).isEqualTo(published);
        }

        @Test
        @DisplayName("opening an existing name keeps what it holds")
        void required_backlog_1_4_reopenKeeps() {
            ChannelName channel = channel("/orders");
            String name = opened("a", channel);
            List<Message> published = publishAll(channel, 10);
            backlog.close(name);
            backlog.open(name, channel);
            published = new ArrayList<>(published);
            published.addAll(publishAll(channel, 3));
            assertThat(readAll(name, before(EPOCH), 100)).as("what backlog %s keeps after it was closed and opened again", name)
                    .isEqualTo(published);
        }
    }

    @Nested
    @DisplayName("2. reading")
    class Reading {

        @Test
        @DisplayName("read returns what follows the position, at most the limit, and discards nothing")
        void required_backlog_2_1_readAfterPositionWithLimit() {
            ChannelName channel = channel("/orders");
            String name = opened("a", channel);
            List<Message> published = publishAll(channel, 20);
            assertThat(backlog.read(name, published.get(4).position(), 3)).isEqualTo(published.subList(5, 8));
            assertThat(backlog.read(name, published.get(4).position(), 3)).as("the same read again").isEqualTo(published.subList(5, 8));
            assertThat(readAll(name, before(EPOCH), 7)).as("everything, still").isEqualTo(published);
            assertThat(backlog.read(name, published.get(19).position(), 5)).as("after the last").isEmpty();
        }

        @Test
        @DisplayName("after close, what was read and not released is read again, in order")
        void required_backlog_2_2_closeGivesBackWhatWasRead() {
            ChannelName channel = channel("/orders");
            String name = opened("a", channel);
            List<Message> published = publishAll(channel, 30);
            assertThat(readAll(name, before(EPOCH), 8)).isEqualTo(published);
            backlog.close(name);
            env.await("the backlog, read again after close, has every message").until(
                    () -> readAll(name, before(EPOCH), 8).equals(published));
        }

        @Test
        @DisplayName("messages of another epoch than the position are never returned")
        void required_backlog_2_3_otherEpochNeverReturned() {
            ChannelName channel = channel("/orders");
            String name = opened("a", channel);
            Message old = message(channel, "oldepoch");
            List<Message> current = publishAll(channel, 3);
            assertThat(readAll(name, before(EPOCH), 10)).doesNotContain(old).isEqualTo(current);
        }

        @Test
        @DisplayName("reading a name that was never opened or was deleted returns nothing")
        void required_backlog_2_4_unknownNameIsEmpty() {
            assertThat(backlog.read("herald.contract." + namespace + ".never", before(EPOCH), 10)).isEmpty();
        }
    }

    @Nested
    @DisplayName("3. releasing and deleting")
    class Releasing {

        @Test
        @DisplayName("release discards everything up to the position, for good, and keeps what follows")
        void required_backlog_3_1_releaseDiscardsUpTo() {
            ChannelName channel = channel("/orders");
            String name = opened("a", channel);
            List<Message> published = publishAll(channel, 20);
            backlog.release(name, published.get(9).position());
            backlog.close(name);
            awaitKept(name, published.subList(10, 20), "only messages 11..20 kept after releasing up to 10");
            List<Message> more = publishAll(channel, 2);
            List<Message> expected = new ArrayList<>(published.subList(10, 20));
            expected.addAll(more);
            assertThat(readAll(name, before(EPOCH), 100)).isEqualTo(expected);
        }

        @Test
        @DisplayName("releases move forward as a subscriber acks, while messages keep arriving")
        void required_backlog_3_2_releaseAsItGoes() {
            ChannelName channel = channel("/orders");
            String name = opened("a", channel);
            List<Message> published = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                published.addAll(publishAll(channel, 10));
                backlog.release(name, published.get(published.size() - 5).position());
            }
            backlog.close(name);
            awaitKept(name, published.subList(published.size() - 4, published.size()), "the last 4 kept");
        }

        @Test
        @DisplayName("release of a position of another epoch discards older-epoch messages")
        void required_backlog_3_3_releaseAcrossEpochs() {
            ChannelName channel = channel("/orders");
            String name = opened("a", channel);
            message(channel, "oldepoch");
            List<Message> current = publishAll(channel, 4);
            backlog.release(name, current.get(1).position());
            backlog.close(name);
            awaitKept(name, current.subList(2, 4), "messages 3..4 of the current epoch kept");
        }

        @Test
        @DisplayName("delete discards everything; the name opened again keeps only what follows; delete is idempotent")
        void required_backlog_3_4_delete() {
            ChannelName channel = channel("/orders");
            String name = opened("a", channel);
            publishAll(channel, 10);
            backlog.delete(name);
            assertThatCode(() -> backlog.delete(name)).as("deleting twice").doesNotThrowAnyException();
            assertThat(backlog.read(name, before(EPOCH), 10)).as("a deleted backlog").isEmpty();
            backlog.open(name, channel);
            List<Message> after = publishAll(channel, 2);
            assertThat(readAll(name, before(EPOCH), 10)).isEqualTo(after);
        }

        @Test
        @DisplayName("deleting one backlog leaves another of the same channel alone")
        void required_backlog_3_5_deleteIsPerName() {
            ChannelName channel = channel("/orders");
            String a = opened("a", channel);
            String b = opened("b", channel);
            List<Message> published = publishAll(channel, 5);
            backlog.delete(a);
            assertThat(readAll(b, before(EPOCH), 10)).isEqualTo(published);
        }
    }

    @Nested
    @DisplayName("5. taking over")
    class TakingOver {

        @Test
        @DisplayName("an earlier opener's close, after the name was opened again, leaves the newer opener everything")
        void required_backlog_5_1_earlierCloseLeavesTheNewerOpener() {
            ChannelName channel = channel("/orders");
            String name = opened("a", channel);
            List<Message> published = publishAll(channel, 10);
            assertThat(readAll(name, before(EPOCH), 4)).isEqualTo(published);
            backlog.open(name, channel); // the client took its subscription over before its old connection closed
            backlog.close(name);         // the old connection closes
            published = new ArrayList<>(published);
            published.addAll(publishAll(channel, 3));
            assertThat(readAll(name, before(EPOCH), 4)).as("what the newer opener of %s reads", name).isEqualTo(published);
            backlog.release(name, published.get(5).position());
            backlog.close(name);
            awaitKept(name, published.subList(6, published.size()), "what follows the newer opener's release, kept");
        }

        @Test
        @DisplayName("a close racing the next open of the same name never hides what the closing opener held")
        void required_backlog_5_2_closeRacingOpenHidesNothing() throws Exception {
            ChannelName channel = channel("/orders");
            String name = opened("a", channel);
            long seed = System.nanoTime();
            Random random = new Random(seed);
            List<Message> published = new ArrayList<>();
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                for (int round = 0; round < 25; round++) {
                    published.addAll(publishAll(channel, 3));
                    assertThat(readAll(name, before(EPOCH), 8)).isEqualTo(published); // this opener holds them all
                    long delayNanos = random.nextInt(3_000_000);
                    boolean closeFirst = random.nextBoolean();
                    // The old connection closes on another thread while the client's new connection opens and reads.
                    Future<?> closing = other.submit(() -> {
                        if (!closeFirst) {
                            LockSupport.parkNanos(delayNanos);
                        }
                        backlog.close(name);
                    });
                    if (closeFirst) {
                        LockSupport.parkNanos(delayNanos);
                    }
                    backlog.open(name, channel);
                    List<Message> read = readAll(name, before(EPOCH), 8);
                    closing.get();
                    assertThat(read).as("round %s (seed %s): what the new opener of %s read while the old one closed",
                            round, seed, name).isEqualTo(published);
                }
            } finally {
                other.shutdownNow();
            }
        }
    }

    @Nested
    @DisplayName("4. names")
    class Names {

        @Test
        @DisplayName("the default name differs per session and per subscription")
        void required_backlog_4_1_defaultNamesAreDistinct() {
            assertThat(backlog.defaultName("s1", "k1")).isNotEqualTo(backlog.defaultName("s1", "k2"))
                    .isNotEqualTo(backlog.defaultName("s2", "k1"));
            assertThatCode(() -> backlog.checkName(backlog.defaultName("s1", "k1"))).doesNotThrowAnyException();
        }

        @Test
        @DisplayName("an empty name, or one the backend refuses, is refused before anything is created")
        void required_backlog_4_2_invalidNamesRefused() {
            assertThatThrownBy(() -> backlog.checkName("")).isInstanceOf(InvalidRequestException.class);
            String invalid = invalidName();
            assumeTrue(invalid != null, "this backlog accepts every non-empty name");
            assertThatThrownBy(() -> backlog.checkName(invalid)).isInstanceOf(InvalidRequestException.class);
            assertThatThrownBy(() -> backlog.open(invalid, channel("/orders"))).isInstanceOf(InvalidRequestException.class);
        }
    }
}
