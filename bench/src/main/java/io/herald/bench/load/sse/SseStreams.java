package io.herald.bench.load.sse;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many Server-Sent Events streams held by a few selector threads over raw NIO: the cheapest way for one
 * load-generator process to hold 10,000+ streams (a few hundred bytes each). Each stream sends one
 * {@code GET} with {@code Accept: text/event-stream} (and {@code Last-Event-ID} when resuming), expects a
 * 200, then decodes the body (chunked or until close) and the SSE fields ({@code id}, {@code event},
 * {@code data}; comments and {@code retry} are skipped). Every event with data is handed to the
 * {@link Listener} with the {@code "seq"} number found in its data (see {@link SsePayload}).
 *
 * <p>Connects are paced: at most {@code maxPending} streams may be between connect and response head at
 * once ({@link #open} blocks beyond that), so a burst of thousands never overflows a server's accept
 * backlog. Client sockets are bound round-robin to the local addresses given (e.g. 127.0.0.2, 127.0.0.3,
 * ...) so churning runs never run out of ephemeral ports.
 *
 * <p>Thread-safe: {@link #open} and {@link #close} from any thread; listener calls come from the selector
 * threads, each stream always from the same one, in the order its bytes arrived.
 */
public final class SseStreams implements AutoCloseable {

    /** What the streams report. Called on selector threads; must not block. */
    public interface Listener {

        /**
         * An event with data arrived on {@code stream}.
         *
         * @param type its {@code event:} type, {@code null} for a plain message
         * @param seq the {@code "seq"} number in its data, -1 when it has none
         */
        void onEvent(int stream, String type, long seq);

        /** The stream {@code stream} ended without {@link #close()}: refused, reset, or ended by the server. */
        void onEnd(int stream, String reason);
    }

    private static final AtomicInteger BIND_ROTATION = new AtomicInteger();

    private final String host;
    private final InetSocketAddress server;
    private final List<InetAddress> bindAddresses;
    private final Listener listener;
    private final Semaphore pending;
    private final IoThread[] threads;
    private final Stream[] streams;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger ended = new AtomicInteger();
    private final AtomicLong events = new AtomicLong();
    private volatile boolean closing;

    /**
     * Streams to {@code server}, up to {@code capacity} of them, indexed 0 to {@code capacity - 1}.
     *
     * @param bindAddresses local addresses to bind client sockets to, round-robin; empty for the default
     */
    public SseStreams(InetSocketAddress server, int capacity, int ioThreads, List<InetAddress> bindAddresses,
                      int maxPending, Listener listener) throws IOException {
        if (capacity < 1 || ioThreads < 1 || maxPending < 1) {
            throw new IllegalArgumentException("streams need capacity, ioThreads and maxPending >= 1; got "
                    + capacity + ", " + ioThreads + ", " + maxPending);
        }
        this.server = server;
        this.host = server.getHostString() + ":" + server.getPort();
        this.bindAddresses = List.copyOf(bindAddresses);
        this.listener = listener;
        this.pending = new Semaphore(maxPending);
        this.streams = new Stream[capacity];
        this.threads = new IoThread[ioThreads];
        for (int i = 0; i < ioThreads; i++) {
            threads[i] = new IoThread("sse-client-" + i);
            threads[i].start();
        }
    }

    /** Local addresses 127.0.0.2 to 127.0.0.(1 + count). */
    public static List<InetAddress> loopbackAliases(int count) {
        InetAddress[] addresses = new InetAddress[count];
        for (int i = 0; i < count; i++) {
            try {
                addresses[i] = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)});
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return List.of(addresses);
    }

    /**
     * Opens stream {@code index} with {@code GET pathAndQuery}, resuming from {@code lastEventId} when not
     * null. Blocks while {@code maxPending} connects are in flight.
     */
    public void open(int index, String pathAndQuery, String lastEventId) throws InterruptedException {
        if (closing) {
            throw new IllegalStateException("streams to " + host + " are closed");
        }
        if (streams[index] != null) {
            throw new IllegalStateException("stream " + index + " to " + host + " is already open");
        }
        StringBuilder request = new StringBuilder(128).append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append("\r\n")
                .append("Accept: text/event-stream\r\n")
                .append("Cache-Control: no-cache\r\n");
        if (lastEventId != null) {
            request.append("Last-Event-ID: ").append(lastEventId).append("\r\n");
        }
        request.append("\r\n");
        if (!pending.tryAcquire(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no connect to " + host + " finished within 60 s; " + connected.get()
                    + " streams connected, " + ended.get() + " ended");
        }
        IoThread io = threads[index % threads.length];
        Stream stream = new Stream(index, io, ByteBuffer.wrap(request.toString().getBytes(StandardCharsets.US_ASCII)));
        stream.openedAt = System.nanoTime();
        streams[index] = stream;
        io.submit(stream);
    }

    /** Waits until {@code count} streams got their 200 head; false on timeout or when one ended meanwhile. */
    public boolean awaitConnected(int count, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (connected.get() < count) {
            if (System.nanoTime() > deadline || (ended.get() > 0 && connected.get() + ended.get() >= count)) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Streams that got their 200 head so far. */
    public int connected() {
        return connected.get();
    }

    /** Streams that ended without {@link #close()}. */
    public int ended() {
        return ended.get();
    }

    /** Events with data received on all streams. */
    public long events() {
        return events.get();
    }

    /** The id of the last event stream {@code index} got (as EventSource keeps it), or {@code null}. */
    public String lastEventId(int index) {
        Stream s = streams[index];
        return s == null ? null : s.lastEventId();
    }

    /** When stream {@code index} was opened, in {@link System#nanoTime()}; 0 if not opened. */
    public long openedAt(int index) {
        Stream s = streams[index];
        return s == null ? 0 : s.openedAt;
    }

    /** Closes every stream (an orderly FIN, as a browser tab that goes away) and stops the threads. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        for (Stream s : streams) {
            if (s != null) {
                s.closeQuietly();
            }
        }
        for (IoThread t : threads) {
            t.shutdown();
        }
        for (IoThread t : threads) {
            t.join(10_000);
        }
    }

    private final class IoThread extends Thread {
        private final Selector selector;
        private final ConcurrentLinkedQueue<Stream> submitted = new ConcurrentLinkedQueue<>();
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        private volatile boolean running = true;

        IoThread(String name) throws IOException {
            super(name);
            setDaemon(true);
            selector = Selector.open();
        }

        void submit(Stream stream) {
            submitted.add(stream);
            selector.wakeup();
        }

        void shutdown() {
            running = false;
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (running) {
                    selector.select(1000);
                    for (Stream s; (s = submitted.poll()) != null; ) {
                        s.connect(selector);
                    }
                    var keys = selector.selectedKeys();
                    for (SelectionKey key : keys) {
                        Stream s = (Stream) key.attachment();
                        try {
                            if (!key.isValid()) {
                                continue;
                            }
                            if (key.isConnectable()) {
                                s.finishConnect(key);
                            } else if (key.isWritable()) {
                                s.writeRequest(key);
                            } else if (key.isReadable()) {
                                s.read(buffer);
                            }
                        } catch (IOException | RuntimeException e) {
                            s.end(e.toString());
                        }
                    }
                    keys.clear();
                }
            } catch (IOException e) {
                throw new IllegalStateException("selector of streams to " + host + " failed", e);
            } finally {
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // Closing at the end of the run; nothing to do about it.
                }
            }
        }
    }

    /** One stream's connection and decoder state; touched only by its selector thread (but closeQuietly). */
    private final class Stream {
        private static final int HEAD = 0;
        private static final int BODY = 1;
        private static final int DONE = 2;
        private static final int CHUNK_SIZE = 0;
        private static final int CHUNK_EXT = 1;
        private static final int CHUNK_DATA = 2;
        private static final int CHUNK_DATA_END = 3;

        final int index;
        final IoThread io;
        final ByteBuffer request;
        volatile long openedAt;
        volatile SocketChannel channel;
        int state = HEAD;
        boolean permitHeld = true;
        byte[] head = new byte[512];
        int headLen;
        boolean chunked;
        int chunkState = CHUNK_SIZE;
        long chunkSize;
        boolean chunkDigits;
        byte[] line = new byte[64];
        int lineLen;
        boolean afterCr;
        byte[] data = new byte[0];
        int dataLen;
        boolean hasData;
        String type;
        volatile byte[] lastId;

        Stream(int index, IoThread io, ByteBuffer request) {
            this.index = index;
            this.io = io;
            this.request = request;
        }

        void connect(Selector selector) {
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (!bindAddresses.isEmpty()) {
                    channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    int k = Math.floorMod(BIND_ROTATION.getAndIncrement(), bindAddresses.size());
                    channel.bind(new InetSocketAddress(bindAddresses.get(k), 0));
                }
                if (closing) {
                    closeQuietly();
                    return;
                }
                if (channel.connect(server)) {
                    channel.register(selector, SelectionKey.OP_WRITE, this);
                } else {
                    channel.register(selector, SelectionKey.OP_CONNECT, this);
                }
            } catch (IOException | RuntimeException e) {
                end(e.toString());
            }
        }

        void finishConnect(SelectionKey key) throws IOException {
            if (channel.finishConnect()) {
                key.interestOps(SelectionKey.OP_WRITE);
                writeRequest(key);
            }
        }

        void writeRequest(SelectionKey key) throws IOException {
            channel.write(request);
            if (!request.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        void read(ByteBuffer buffer) throws IOException {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                end(state == HEAD ? "connection closed before a response head" : "connection closed by the server");
                return;
            }
            byte[] b = buffer.array();
            int i = 0;
            if (state == HEAD) {
                i = head(b, n);
                if (state != BODY) {
                    return;
                }
            }
            if (i < n) {
                body(b, i, n - i);
            }
        }

        /** Collects the response head; returns where the body starts in {@code b}. */
        private int head(byte[] b, int n) {
            for (int i = 0; i < n; i++) {
                if (headLen == head.length) {
                    if (head.length >= 16 * 1024) {
                        end("response head over 16 KiB");
                        return n;
                    }
                    head = java.util.Arrays.copyOf(head, head.length * 2);
                }
                head[headLen++] = b[i];
                if (headLen >= 4 && head[headLen - 1] == '\n' && head[headLen - 2] == '\r'
                        && head[headLen - 3] == '\n' && head[headLen - 4] == '\r') {
                    String text = new String(head, 0, headLen, StandardCharsets.ISO_8859_1);
                    head = null;
                    String status = text.substring(0, Math.max(0, text.indexOf("\r\n")));
                    if (!status.matches("HTTP/1\\.[01] 200( .*)?")) {
                        end("answered '" + status + "' instead of 200");
                        return n;
                    }
                    chunked = text.toLowerCase(java.util.Locale.ROOT).contains("\r\ntransfer-encoding: chunked");
                    state = BODY;
                    releasePermit();
                    connected.incrementAndGet();
                    return i + 1;
                }
            }
            return n;
        }

        private void body(byte[] b, int off, int len) {
            if (!chunked) {
                sse(b, off, len);
                return;
            }
            int i = off;
            int end = off + len;
            while (i < end && state == BODY) {
                switch (chunkState) {
                    case CHUNK_SIZE -> {
                        byte c = b[i++];
                        int digit = Character.digit(c, 16);
                        if (digit >= 0) {
                            chunkSize = chunkSize * 16 + digit;
                            chunkDigits = true;
                        } else if (c == ';') {
                            chunkState = CHUNK_EXT;
                        } else if (c == '\n') {
                            chunkLineEnd();
                        } else if (c != '\r' && c != ' ') {
                            end("bad chunk size byte " + c);
                        }
                    }
                    case CHUNK_EXT -> {
                        if (b[i++] == '\n') {
                            chunkLineEnd();
                        }
                    }
                    case CHUNK_DATA -> {
                        int take = (int) Math.min(chunkSize, end - i);
                        sse(b, i, take);
                        i += take;
                        chunkSize -= take;
                        if (chunkSize == 0) {
                            chunkState = CHUNK_DATA_END;
                        }
                    }
                    default -> {
                        if (b[i++] == '\n') {
                            chunkState = CHUNK_SIZE;
                            chunkSize = 0;
                            chunkDigits = false;
                        }
                    }
                }
            }
        }

        private void chunkLineEnd() {
            if (!chunkDigits) {
                end("chunk without a size");
            } else if (chunkSize == 0) {
                end("stream ended by the server");
            } else {
                chunkState = CHUNK_DATA;
            }
        }

        private void sse(byte[] b, int off, int len) {
            int end = off + len;
            int i = off;
            while (i < end) {
                if (afterCr) {
                    afterCr = false;
                    if (b[i] == '\n') {
                        i++;
                        continue;
                    }
                }
                int j = i;
                while (j < end && b[j] != '\n' && b[j] != '\r') {
                    j++;
                }
                int n = j - i;
                if (n > 0) {
                    if (lineLen + n > line.length) {
                        line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, lineLen + n));
                    }
                    System.arraycopy(b, i, line, lineLen, n);
                    lineLen += n;
                }
                if (j == end) {
                    return;
                }
                afterCr = b[j] == '\r';
                line();
                lineLen = 0;
                i = j + 1;
            }
        }

        private void line() {
            if (lineLen == 0) {
                dispatch();
                return;
            }
            if (line[0] == ':') {
                return;
            }
            int colon = 0;
            while (colon < lineLen && line[colon] != ':') {
                colon++;
            }
            int value = colon < lineLen ? colon + 1 : lineLen;
            if (value < lineLen && line[value] == ' ') {
                value++;
            }
            if (is("data", colon)) {
                int n = lineLen - value;
                int need = dataLen + n + (hasData ? 1 : 0);
                if (need > data.length) {
                    data = java.util.Arrays.copyOf(data, Math.max(need, Math.max(128, data.length * 2)));
                }
                if (hasData) {
                    data[dataLen++] = '\n';
                }
                System.arraycopy(line, value, data, dataLen, n);
                dataLen += n;
                hasData = true;
            } else if (is("id", colon)) {
                lastId = java.util.Arrays.copyOfRange(line, value, lineLen);
            } else if (is("event", colon)) {
                type = new String(line, value, lineLen - value, StandardCharsets.UTF_8);
            }
        }

        private boolean is(String field, int length) {
            if (length != field.length()) {
                return false;
            }
            for (int k = 0; k < length; k++) {
                if (line[k] != field.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        private void dispatch() {
            if (!hasData) {
                type = null;
                return;
            }
            long seq = SsePayload.seqOf(data, dataLen);
            String t = type;
            hasData = false;
            dataLen = 0;
            type = null;
            events.incrementAndGet();
            listener.onEvent(index, t, seq);
        }

        String lastEventId() {
            byte[] id = lastId;
            return id == null ? null : new String(id, StandardCharsets.UTF_8);
        }

        private void releasePermit() {
            if (permitHeld) {
                permitHeld = false;
                pending.release();
            }
        }

        void end(String reason) {
            if (state == DONE) {
                return;
            }
            state = DONE;
            releasePermit();
            closeQuietly();
            if (!closing) {
                ended.incrementAndGet();
                listener.onEnd(index, reason);
            }
        }

        void closeQuietly() {
            SocketChannel c = channel;
            if (c != null) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // Already gone.
                }
            }
        }
    }
}
