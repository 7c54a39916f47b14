package io.herald.bench.load.sse;

import io.herald.bench.load.DeliverySink;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Publishes over HTTP ({@code POST}) with Jetty's {@link HttpClient} on ONE connection, so messages reach
 * the server in send order (a pool of connections would let two publishes overtake each other and show up
 * as reordering on every stream). Requests beyond the one in flight queue in the client, and that wait
 * counts in the end-to-end latency, as it would for any publisher. Any 2xx answer is success (Herald
 * answers 200, Nchan 201 or 202).
 */
public final class HttpSsePublisher implements SsePublisher {

    private static final long TIMEOUT_SECONDS = 30;

    private final SseTarget target;
    private final int pad;
    private final HttpClient client;

    public HttpSsePublisher(SseTarget target, int pad) throws Exception {
        this.target = target;
        this.pad = pad;
        QueuedThreadPool pool = new QueuedThreadPool(16, 2);
        pool.setName("sse-publisher");
        pool.setDaemon(true);
        client = new HttpClient();
        client.setExecutor(pool);
        client.setMaxConnectionsPerDestination(1);
        // Open loop: a slow server must make publishes wait (and show as latency), never be refused here.
        client.setMaxRequestsQueuedPerDestination(1 << 22);
        client.setFollowRedirects(false);
        client.start();
    }

    @Override
    public void publish(long seq, DeliverySink sink) {
        request(SsePayload.data(seq, pad)).send(result -> {
            if (result.getFailure() != null) {
                sink.failed(seq, "publish to " + target.publishUri() + " failed: " + result.getFailure());
            } else if (result.getResponse().getStatus() / 100 != 2) {
                sink.failed(seq, "publish to " + target.publishUri() + " answered HTTP " + result.getResponse().getStatus());
            }
        });
    }

    @Override
    public void publishNow(String data) throws InterruptedException {
        ContentResponse response;
        try {
            response = request(data).send();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("publish to " + target.publishUri() + " failed: " + e, e);
        }
        if (response.getStatus() / 100 != 2) {
            throw new IllegalStateException("publish to " + target.publishUri() + " answered HTTP " + response.getStatus()
                    + ": " + response.getContentAsString());
        }
    }

    private Request request(String data) {
        byte[] body = target.publishBody(data).getBytes(StandardCharsets.UTF_8);
        return client.newRequest(target.publishUri())
                .method(HttpMethod.POST)
                .body(new BytesRequestContent("application/json", body))
                .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }
}
