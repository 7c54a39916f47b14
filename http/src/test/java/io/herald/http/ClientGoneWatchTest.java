package io.herald.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.ByteArrayEndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.util.BufferUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watch's answer to "can this connection carry the client's next request" when it races with its own read:
 * a readiness event that brings no data (the selector may report one) must not make an immediate answer close
 * a keep-alive connection.
 */
class ClientGoneWatchTest {

    /** An end point whose fills wait until the test lets them read what the client "sent" meanwhile. */
    private static final class HeldFillEndPoint extends ByteArrayEndPoint {
        final CountDownLatch inFill = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile byte[] sent;
        volatile boolean closedByClient;

        @Override
        public int fill(ByteBuffer buffer) {
            inFill.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] bytes = sent;
            if (bytes != null) {
                sent = null;
                int position = BufferUtil.flipToFill(buffer);
                buffer.put(bytes);
                BufferUtil.flipToFlush(buffer, position);
                return bytes.length;
            }
            return closedByClient ? -1 : 0;
        }
    }

    private final HeldFillEndPoint endPoint = new HeldFillEndPoint();
    private final List<Throwable> gone = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        endPoint.release.countDown();
        endPoint.close();
    }

    /** Runs the read interest's callback on its own thread, as the selector does, and waits until it is reading. */
    private Thread readinessEvent() throws InterruptedException {
        Thread selector = new Thread(() -> endPoint.getFillInterest().fillable(), "selector");
        selector.start();
        assertThat(endPoint.inFill.await(10, TimeUnit.SECONDS)).isTrue();
        return selector;
    }

    /**
     * Stops {@code watch} (as an answer about to be written does) while a read of the watch is in progress, then
     * lets the read finish; returns what the stop answered.
     */
    private boolean stopDuringRead(ClientGone.Watch watch) throws Exception {
        Thread selector = readinessEvent();
        CompletableFuture<Boolean> reusable = new CompletableFuture<>();
        Thread answering = new Thread(() -> reusable.complete(watch.stop()), "answer");
        answering.start();
        // The answer waits for the read in progress (it cannot know yet what the read will find).
        await().atMost(10, TimeUnit.SECONDS).until(() -> reusable.isDone() || answering.getState() == Thread.State.BLOCKED);
        endPoint.release.countDown();
        selector.join(10_000);
        return reusable.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aReadThatFindsNothingWhileTheAnswerIsWrittenKeepsTheConnection() throws Exception {
        ClientGone.Watch watch = ClientGone.watch(endPoint, gone::add);

        assertThat(stopDuringRead(watch)).as("nothing was read: the connection carries the next request").isTrue();
        assertThat(endPoint.isFillInterested()).isFalse();
        assertThat(gone).isEmpty();
    }

    @Test
    void aReadThatFindsBytesWhileTheAnswerIsWrittenClosesTheConnection() throws Exception {
        ClientGone.Watch watch = ClientGone.watch(endPoint, gone::add);
        endPoint.sent = "GET /next HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);

        assertThat(stopDuringRead(watch)).as("the watch dropped the client's bytes").isFalse();
        assertThat(gone).isEmpty();
    }

    @Test
    void aClientThatClosesIsReportedOnceAndTheConnectionIsNotReused() throws Exception {
        ClientGone.Watch watch = ClientGone.watch(endPoint, gone::add);
        endPoint.closedByClient = true;
        endPoint.release.countDown();
        readinessEvent().join(10_000);

        assertThat(gone).singleElement().isInstanceOf(EofException.class);
        assertThat(watch.stop()).isFalse();
    }
}
