package io.herald.http;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Notices at once when the client of a long-lived HTTP/1 response (an SSE stream, a held poll) closes or
 * resets its connection, instead of at the next failed write or the idle timeout, so that its subscriptions
 * and memory are freed promptly. Only for requests without a body that Herald has fully read: whatever the
 * client sends afterwards is discarded, since a response that streams until it ends leaves the connection
 * unusable for another request anyway.
 */
public final class ClientGone {

    private ClientGone() {
    }

    /** Calls {@code onGone} once, when the other side of {@code request}'s connection closes or fails. */
    public static void watch(Request request, Consumer<Throwable> onGone) {
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            return; // HTTP/2 and 3 streams report resets through the request's failure listeners already.
        }
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        endPoint.tryFillInterested(new Callback() {
            @Override
            public void succeeded() {
                ByteBuffer buffer = BufferUtil.allocate(64);
                try {
                    while (true) {
                        int read = endPoint.fill(buffer);
                        if (read < 0) {
                            onGone.accept(new EofException("the client closed the connection"));
                            return;
                        }
                        if (read == 0) {
                            endPoint.tryFillInterested(this);
                            return;
                        }
                        BufferUtil.clear(buffer);
                    }
                } catch (Exception e) {
                    onGone.accept(e);
                }
            }

            @Override
            public void failed(Throwable cause) {
                onGone.accept(cause);
            }

            @Override
            public InvocationType getInvocationType() {
                return InvocationType.NON_BLOCKING;
            }
        });
    }
}
