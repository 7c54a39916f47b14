package io.herald.bench.load;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The raw ceiling for the publish API: a bare Jetty 12 server whose one handler reads a
 * {@code POST /api/publish} body and answers 200 with pre-encoded bytes shaped like Herald's answer. No
 * framework, no parsing, no store: what Herald's HTTP API costs is quoted as a ratio to this, measured in
 * the same run. Every other request gets 404.
 *
 * <p>Its threads come from one pool whose threads are collected in {@link #threads()}, so an in-process
 * run can count the server's CPU apart from the load generator's. Thread-safe.
 */
public final class CeilingServer implements AutoCloseable {

    static final String PATH = "/api/publish";
    private static final byte[] ANSWER = "{\"channel\":\"/bench/a\",\"id\":\"ceiling\",\"position\":{\"epoch\":\"ceiling\",\"offset\":1}}"
            .getBytes(StandardCharsets.UTF_8);
    private static final PreEncodedHttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString());
    private static final PreEncodedHttpField LENGTH = new PreEncodedHttpField(HttpHeader.CONTENT_LENGTH, Integer.toString(ANSWER.length));

    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final Server server;
    private final ServerConnector connector;

    /** A ceiling on {@code host:port}; port 0 picks a free one. Nothing listens before {@link #start()}. */
    public CeilingServer(String host, int port) {
        // Long idle timeout: the pool must keep its threads for the whole run so their CPU time can be read.
        QueuedThreadPool pool = new QueuedThreadPool(200, 8, 600_000, -1, null, null, r -> {
            Thread t = new Thread(r);
            threads.add(t);
            return t;
        });
        pool.setName("ceiling-server");
        server = new Server(pool);
        connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new PublishAnswer());
    }

    public CeilingServer start() throws Exception {
        server.start();
        return this;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** The publish endpoint, once started. */
    public URI publishUri() {
        return URI.create("http://" + connector.getHost() + ":" + port() + PATH);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), port());
    }

    /** The server's threads, live. */
    public Collection<Thread> threads() {
        return Collections.unmodifiableSet(threads);
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    private static final class PublishAnswer extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            if (!HttpMethod.POST.is(request.getMethod()) || !PATH.equals(Request.getPathInContext(request))) {
                Response.writeError(request, response, callback, 404);
                return true;
            }
            Content.Source.consumeAll(request, Callback.from(() -> {
                response.setStatus(200);
                response.getHeaders().add(JSON);
                response.getHeaders().add(LENGTH);
                response.write(true, ByteBuffer.wrap(ANSWER), callback);
            }, callback::failed));
            return true;
        }
    }
}
