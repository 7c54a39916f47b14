package io.herald.stomp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy for tests that can cut the connections through it: the client's side with a reset, the
 * server's side optionally left open (so the server, like after a real network failure, does not know yet).
 * New connections keep being accepted after a cut.
 */
final class CuttableProxy implements AutoCloseable {

    private record Pair(Socket client, Socket server) {
    }

    private final ServerSocket listener;
    private final List<Pair> pairs = new CopyOnWriteArrayList<>();

    CuttableProxy(int targetPort) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    pairs.add(new Pair(client, server));
                    pump(client, server);
                    pump(server, client);
                } catch (IOException e) {
                    // closed, or the target refused: the client sees its connection fail
                }
            }
        }, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private static void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side is gone
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Resets every client connection; with {@code serverToo}, closes the server side as well. */
    void cut(boolean serverToo) {
        for (Pair pair : pairs) {
            try {
                pair.client().setSoLinger(true, 0);
                pair.client().close();
                if (serverToo) {
                    pair.server().close();
                }
            } catch (IOException e) {
                // already gone
            }
            pairs.remove(pair);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cut(true);
    }
}
