package io.herald.client;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The network side of {@link HeraldClient}s: one Jetty {@link HttpClient} (long polling, and the WebSocket
 * upgrades) and one {@link WebSocketClient} on it, with their I/O threads, selector, scheduler and buffer pool.
 *
 * <p>A client built without {@link HeraldClient.Builder#transport} owns a transport of its own and stops it when it
 * stops. Many clients in one JVM share one instead ({@link #shared()}), which saves most of a client's heap and
 * every I/O thread but the transport's: the clients' conversations stay apart (each its own sockets, protocol
 * thread and handler thread); only the I/O threads that read and parse are common. A shared transport is stopped
 * by its {@link #close()}, not by its clients: close it after the last of them.
 *
 * <p>A shared transport keeps no cookies (each client's long polls would otherwise carry the others': a CometD
 * server takes clients with one browser cookie for one browser and limits their long polls) and opens as many
 * connections to one server as its clients need (Jetty's default of 64 would queue the held long polls of the
 * 65th client and beyond). Thread-safe.
 */
public final class HeraldTransport implements AutoCloseable {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    final HttpClient http;
    final WebSocketClient webSocket;

    private HeraldTransport(String name, Duration connectTimeout, boolean shared) {
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName(name + "-io");
        pool.setDaemon(true);
        http = new HttpClient();
        http.setExecutor(pool);
        http.setIdleTimeout(0);
        http.setConnectTimeout(connectTimeout.toMillis());
        if (shared) {
            http.setHttpCookieStore(new HttpCookieStore.Empty());
            http.setMaxConnectionsPerDestination(Integer.MAX_VALUE);
            http.setMaxRequestsQueuedPerDestination(Integer.MAX_VALUE);
        }
        // Jetty's WebSocket client on the same HTTP client (threads, connector). A link stays quiet for as long
        // as the server holds a /meta/connect: the client's watchdogs, not an idle timeout, judge it dead.
        webSocket = new WebSocketClient(http);
        webSocket.setIdleTimeout(Duration.ofHours(1));
        webSocket.setMaxTextMessageSize(LongPollingLink.MAX_RESPONSE);
        webSocket.setConnectTimeout(connectTimeout.toMillis());
        try {
            http.start();
            webSocket.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot start the HTTP and WebSocket clients", e);
        }
    }

    /**
     * A transport for many clients to share (TCP connect timeout 10 s; each client's {@code maxNetworkDelay} still
     * bounds its requests). Started; {@link #close()} it after the last client using it stopped.
     */
    public static HeraldTransport shared() {
        return shared(Duration.ofSeconds(10));
    }

    /** {@link #shared()} with this TCP connect timeout. */
    public static HeraldTransport shared(Duration connectTimeout) {
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, was " + connectTimeout);
        }
        return new HeraldTransport("herald-transport-" + INSTANCES.incrementAndGet(), connectTimeout, true);
    }

    /** The transport a client owns alone, named after it. */
    static HeraldTransport owned(String clientName, Duration connectTimeout) {
        return new HeraldTransport(clientName, connectTimeout, false);
    }

    /** Whether it still runs (not closed). */
    public boolean isRunning() {
        return http.isRunning();
    }

    /**
     * Stops the I/O threads and closes every connection: clients still using it lose their links (and fail to
     * open new ones). Idempotent.
     */
    @Override
    public void close() {
        try {
            webSocket.stop();
            http.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the HTTP and WebSocket clients", e);
        }
    }
}
