package io.herald.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;

/**
 * The body of a long-lived HTTP/1.1 response (an SSE stream) written straight on the connection's
 * {@link EndPoint}, as pre-framed chunks, once Jetty has committed the response: the shortest path from
 * encoded bytes to the socket that Jetty 12 allows. A write through {@code Response.write} goes through the
 * context wrapper, the channel state (which scans the response headers for {@code Content-Length} on every
 * write), the HTTP/1 send callback, the generator (which frames the chunk into a pooled buffer) and the
 * write flusher; here it is one non-blocking {@link EndPoint#flush} of buffers that already carry their
 * chunk framing, shared by every connection that writes the same message ({@link #chunk}). Only a write the
 * socket does not take whole goes through the endpoint's asynchronous write, which calls back when done.
 *
 * <p>One buffer on a plain socket ({@link #write(Callback, ByteBuffer)}) goes one step further: straight to the
 * {@link SocketChannel} with one {@code write(2)}, where the endpoint's {@code flush} would make it a gathering
 * {@code writev(2)} through NIO's per-call I/O-vector set-up. A direct buffer is then written without NIO's
 * copy into a temporary direct buffer. Over TLS the endpoint is Jetty's decrypting one, and writes go through it.
 *
 * <p>Framing follows Jetty's own generator, which writes each chunk as {@code CRLF size CRLF data} (the CRLF
 * that ends a chunk goes before the next one, or before the last chunk): after at least one chunk written by
 * Jetty, chunks written here leave the generator exactly where it expects, so the response still ends
 * through Jetty ({@code Response.write(true, ...)}), which writes the last chunk.
 *
 * <p>Usable only where Jetty chunks the body: HTTP/1.1 on a persistent connection, with no
 * {@code Content-Length}; an HTTP/1.0 client or one that sent {@code Connection: close} gets the body up to
 * the close instead, and HTTP/2 frames it itself. {@link #of} says which; everything else keeps writing
 * through the response.
 *
 * <p>Not thread-safe: for the response's one writer, which never has two writes in flight, and only after
 * Jetty has completed a write of the response (so that Jetty is not writing at the same time).
 */
public final class DirectStream {

    private static final byte[] CRLF = {'\r', '\n'};

    private final EndPoint endPoint;
    /** The endpoint when it is a plain (not TLS) socket's, and its socket, written directly; else null. */
    private final SocketChannelEndPoint plain;
    private final SocketChannel channel;

    private DirectStream(EndPoint endPoint) {
        this.endPoint = endPoint;
        this.plain = endPoint instanceof SocketChannelEndPoint socket ? socket : null;
        this.channel = plain != null ? plain.getChannel() : null;
    }

    /**
     * The direct stream of {@code request}'s response, or {@code null} when Jetty does not chunk it. Call it
     * once the response is committed with at least one chunk written (the connection's persistence is known
     * then) and the response carries no {@code Content-Length}.
     */
    public static DirectStream of(Request request) {
        ConnectionMetaData meta = request.getConnectionMetaData();
        if (meta.getHttpVersion() != HttpVersion.HTTP_1_1 || !meta.isPersistent()) {
            return null;
        }
        return new DirectStream(meta.getConnection().getEndPoint());
    }

    /**
     * {@code data} framed as one chunk of a body Jetty has already written to: {@code CRLF size CRLF data}.
     * Build it once per message and write it to every connection.
     */
    public static byte[] chunk(byte[] data) {
        byte[] size = header(data.length);
        byte[] framed = new byte[size.length + data.length];
        System.arraycopy(size, 0, framed, 0, size.length);
        System.arraycopy(data, 0, framed, size.length, data.length);
        return framed;
    }

    /** The framing to write before {@code length} bytes of one chunk: {@code CRLF size CRLF}. */
    public static byte[] header(int length) {
        if (length <= 0) {
            throw new IllegalArgumentException("a chunk holds at least one byte, got " + length);
        }
        // Upper-case hex digits, as Jetty writes them.
        byte[] hex = Integer.toHexString(length).toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        byte[] header = new byte[hex.length + 4];
        header[0] = CRLF[0];
        header[1] = CRLF[1];
        System.arraycopy(hex, 0, header, 2, hex.length);
        header[hex.length + 2] = CRLF[0];
        header[hex.length + 3] = CRLF[1];
        return header;
    }

    /**
     * Writes {@code buffer} (framed chunks) as {@link #write(Callback, ByteBuffer...)} does; on a plain socket with
     * one {@code write(2)}. The buffer object is the caller's again when this returns.
     */
    public void write(Callback callback, ByteBuffer buffer) {
        if (channel == null) {
            write(callback, new ByteBuffer[] {buffer});
            return;
        }
        try {
            if (channel.write(buffer) > 0) {
                // What the endpoint's flush does after writing: the connection is not idle.
                plain.notIdle();
            }
        } catch (IOException | RuntimeException e) {
            callback.failed(e);
            return;
        }
        if (!buffer.hasRemaining()) {
            callback.succeeded();
            return;
        }
        endPoint.write(callback, buffer.slice());
    }

    /**
     * Writes {@code buffer} (framed chunks) as {@link #write(Callback, ByteBuffer)} does, except that a write the
     * socket takes whole at once does not call back: it answers {@code true}, and the caller goes on as if the
     * callback had succeeded (a writer loop then saves the completion's state changes and its second pass).
     * Otherwise it answers {@code false} and {@code callback} completes, or has completed (over TLS, a flush
     * that took it all calls back before this returns).
     */
    public boolean writeNow(Callback callback, ByteBuffer buffer) {
        if (channel == null) {
            // Through the endpoint (TLS): its callback runs, before this returns when the flush took it all.
            write(callback, new ByteBuffer[] {buffer});
            return false;
        }
        try {
            if (channel.write(buffer) > 0) {
                plain.notIdle();
            }
        } catch (IOException | RuntimeException e) {
            callback.failed(e);
            return false;
        }
        if (!buffer.hasRemaining()) {
            return true;
        }
        endPoint.write(callback, buffer.slice());
        return false;
    }

    /**
     * Writes {@code buffers} (framed chunks): at once if the socket takes them all, and then
     * {@code callback} succeeds before this returns; otherwise the rest is written asynchronously and
     * {@code callback} completes later. A failed write fails it. The buffer objects are the caller's again
     * when this returns (the bytes they wrap must stay unchanged until the callback).
     */
    public void write(Callback callback, ByteBuffer... buffers) {
        boolean flushed;
        try {
            flushed = endPoint.flush(buffers);
        } catch (IOException | RuntimeException e) {
            callback.failed(e);
            return;
        }
        if (flushed) {
            callback.succeeded();
            return;
        }
        // The endpoint takes over what is left, in buffers of its own (the caller may reuse its buffer objects
        // as soon as this returns; the bytes under them are never modified), and calls back once it is written.
        ByteBuffer[] rest = new ByteBuffer[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            rest[i] = buffers[i].slice();
        }
        endPoint.write(callback, rest);
    }
}
