package io.herald.bench.load.sse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * The raw ceiling for SSE fan-out: a bare Jetty 12 server, no framework. {@code GET /sse} opens a
 * {@code text/event-stream}; {@code POST /publish} takes the body as the event data, encodes
 * {@code id: <n>\ndata: <body>\n\n} once and queues those same bytes on every open stream. Each stream
 * writes one buffer at a time and joins what queued meanwhile into the next write, as Herald does; a stream
 * with more than {@value #QUEUE} events queued is cut, like Herald's default subscriber queue. The data is
 * assumed to be one line (the load's JSON). What Herald's SSE fan-out costs is quoted as a ratio to this.
 * Thread-safe.
 */
public final class SseCeilingServer implements AutoCloseable {

    static final String STREAM_PATH = "/sse";
    static final String PUBLISH_PATH = "/publish";
    private static final int QUEUE = 1024;
    private static final byte[] HELLO = "retry: 2000\n\n".getBytes(StandardCharsets.US_ASCII);

    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private long sequence;

    public SseCeilingServer(String host, int port) {
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(600_000);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = Request.getPathInContext(request);
                if (HttpMethod.GET.is(request.getMethod()) && STREAM_PATH.equals(path)) {
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
                    Stream stream = new Stream(response, callback);
                    streams.add(stream);
                    stream.queue(HELLO);
                } else if (HttpMethod.POST.is(request.getMethod()) && PUBLISH_PATH.equals(path)) {
                    Content.Source.asByteBufferAsync(request).whenComplete((body, failure) -> {
                        if (failure != null) {
                            callback.failed(failure);
                            return;
                        }
                        broadcast(body);
                        response.setStatus(200);
                        response.write(true, null, callback);
                    });
                } else {
                    Response.writeError(request, response, callback, 404);
                }
                return true;
            }
        });
    }

    /** Runs the ceiling alone until killed: {@code [--host 127.0.0.1] [--port 8092]}. */
    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 8092;
        for (int i = 0; i < args.length; i++) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--host" -> host = args[++i];
                case "--port" -> {
                    String value = args[++i];
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("option --port must be a number, got '" + value + "'");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " for serve-sse-ceiling; known: --host, --port");
            }
        }
        SseCeilingServer server = new SseCeilingServer(host, port).start();
        System.out.println("SSE ceiling listening on http://" + host + ":" + server.port() + STREAM_PATH + " and "
                + PUBLISH_PATH + " (pid " + ProcessHandle.current().pid() + ")");
        server.join();
    }

    public SseCeilingServer start() throws Exception {
        server.start();
        return this;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Open streams now. */
    public int streams() {
        return streams.size();
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    private synchronized void broadcast(ByteBuffer data) {
        byte[] id = ("id: " + (++sequence) + "\ndata: ").getBytes(StandardCharsets.US_ASCII);
        byte[] event = new byte[id.length + data.remaining() + 2];
        System.arraycopy(id, 0, event, 0, id.length);
        data.get(event, id.length, data.remaining());
        event[event.length - 2] = '\n';
        event[event.length - 1] = '\n';
        for (Stream stream : streams) {
            stream.queue(event);
        }
    }

    /** One open stream: a queue of pre-encoded events and the one write in flight. */
    private final class Stream extends IteratingCallback {
        private final Response response;
        private final Callback callback;
        private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger queued = new AtomicInteger();

        Stream(Response response, Callback callback) {
            this.response = response;
            this.callback = callback;
        }

        void queue(byte[] event) {
            if (queued.incrementAndGet() > QUEUE) {
                abort(new IllegalStateException("stream queue over " + QUEUE + " events"));
                return;
            }
            queue.add(event);
            iterate();
        }

        @Override
        protected Action process() {
            byte[] first = queue.poll();
            if (first == null) {
                return Action.IDLE;
            }
            byte[] second = queue.poll();
            if (second == null) {
                queued.decrementAndGet();
                response.write(false, ByteBuffer.wrap(first), this);
                return Action.SCHEDULED;
            }
            // A backlog: join what fits in one buffer into one write (this is the only consumer of the queue).
            ByteBuffer batch = ByteBuffer.allocate(Math.max(16 * 1024, first.length + second.length));
            batch.put(first).put(second);
            int taken = 2;
            for (byte[] e = queue.peek(); e != null && e.length <= batch.remaining(); e = queue.peek()) {
                batch.put(queue.poll());
                taken++;
            }
            queued.addAndGet(-taken);
            response.write(false, batch.flip(), this);
            return Action.SCHEDULED;
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            streams.remove(this);
            callback.failed(cause);
        }
    }
}
