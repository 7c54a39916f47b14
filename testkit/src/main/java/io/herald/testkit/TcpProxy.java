package io.herald.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of the server, so a test can cut a client off the network: {@link #down()} closes every
 * proxied connection and refuses new ones (the port stays taken by nobody), {@link #up()} accepts again on the
 * same port; {@link #swallow()} drops what the server sends next. For the interop tests of any module (Bayeux,
 * the Java client). Thread-safe.
 */
public final class TcpProxy implements AutoCloseable {

    private final int target;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    private volatile boolean swallowing;

    public TcpProxy(int target) throws IOException {
        this.target = target;
        // The first listener takes a free port itself (probing one and binding it again could lose it meanwhile).
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.port = s.getLocalPort();
        listen(s);
    }

    public int port() {
        return port;
    }

    /**
     * Accepts connections again. The port can stay taken for a moment by a connection accepted just as the
     * proxy went down (CI saw "Address already in use" once), so the bind is retried for a few seconds.
     */
    public synchronized void up() {
        ServerSocket s = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(20)).ignoreExceptionsInstanceOf(java.net.BindException.class)
                .until(this::bindAgain, java.util.Objects::nonNull);
        listen(s);
    }

    private ServerSocket bindAgain() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        try {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private synchronized void listen(ServerSocket s) {
        listener = s;
        Thread acceptor = new Thread(() -> accept(s), "tcp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Cuts every connection and refuses new ones until {@link #up()}. */
    public synchronized void down() throws IOException {
        ServerSocket s = listener;
        listener = null;
        swallowing = false;
        if (s != null) {
            s.close();
        }
        for (Socket socket : sockets) {
            try {
                socket.setSoLinger(true, 0); // a reset, as a dropped network looks to the peer eventually
            } catch (IOException e) {
                // closed by its pipe meanwhile
            }
            close(socket);
        }
        sockets.clear();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(client);
                sockets.add(server);
                if (listener != s) {
                    // Went down while this one was being accepted: it is cut with the rest.
                    sockets.remove(client);
                    sockets.remove(server);
                    client.setSoLinger(true, 0);
                    close(client);
                    close(server);
                    return;
                }
                pipe(client, server, false);
                pipe(server, client, true);
            } catch (IOException e) {
                return;
            }
        }
    }

    /**
     * From now until {@link #down()}, what the server sends is read and thrown away: it believes it wrote a response
     * the client never gets, as when a network dies with data in flight.
     */
    public void swallow() {
        swallowing = true;
    }

    private void pipe(Socket from, Socket to, boolean toClient) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (toClient && swallowing) {
                        continue;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // One side went away: close both below.
            } finally {
                close(from);
                close(to);
            }
        }, "tcp-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    private void close(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        down();
    }
}
