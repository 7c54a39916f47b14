package io.herald.bench.load;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Batch publish load: each send is one {@code POST} of a JSON array of {@code batch} publish objects
 * ({@code {"channel":...,"data":{"seq":N,...}}}, the same message as the {@code publish} scenario's) to the
 * publish endpoint. Element {@code i} of every request is stream {@code i}: it is delivered when the answer is
 * 200 and reports {@code "failed":0}, so CPU per delivery is CPU per published message, to be read beside the
 * single publish's and the ceiling's CPU per request. A refused element, another status, or a failure is an
 * error and the request's messages count as lost.
 */
public final class BatchPublishScenario implements Scenario {

    private static final long TIMEOUT_SECONDS = 30;
    private static final byte[] ALL_PUBLISHED = "\"failed\":0,".getBytes(StandardCharsets.US_ASCII);

    private final URI endpoint;
    private final String channel;
    private final int pad;
    private final int connections;
    private final String apiKey;
    private final int batch;
    private final ServerProbe probe;
    private HttpClient client;
    private DeliverySink sink;

    public BatchPublishScenario(URI endpoint, String channel, int pad, int connections, String apiKey, int batch, ServerProbe probe) {
        this.endpoint = endpoint;
        this.channel = channel;
        this.pad = pad;
        this.connections = connections;
        this.apiKey = apiKey;
        this.batch = batch;
        this.probe = probe;
    }

    @Override
    public String name() {
        return "publish-batch";
    }

    @Override
    public void open(DeliverySink sink) throws Exception {
        this.sink = sink;
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName("load-client");
        client = new HttpClient();
        client.setExecutor(pool);
        client.setMaxConnectionsPerDestination(connections);
        client.setMaxRequestsQueuedPerDestination(1 << 22);
        client.setFollowRedirects(false);
        client.start();
    }

    /** The request body of send {@code seq}: {@code batch} copies of the single publish's body. */
    static String body(String channel, long seq, int pad, int batch) {
        String one = LoadPayload.publishBody(channel, seq, pad);
        StringBuilder body = new StringBuilder(batch * (one.length() + 1) + 2).append('[');
        for (int i = 0; i < batch; i++) {
            body.append(i == 0 ? "" : ",").append(one);
        }
        return body.append(']').toString();
    }

    @Override
    public void send(long seq) {
        byte[] body = body(channel, seq, pad, batch).getBytes(StandardCharsets.UTF_8);
        var request = client.newRequest(endpoint)
                .method(HttpMethod.POST)
                .body(new BytesRequestContent("application/json", body))
                .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (apiKey != null) {
            request.headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + apiKey));
        }
        request.send(new org.eclipse.jetty.client.BufferingResponseListener(1 << 24) {
            @Override
            public void onComplete(org.eclipse.jetty.client.Result result) {
                if (result.getFailure() != null) {
                    sink.failed(seq, result.getFailure().toString());
                } else if (result.getResponse().getStatus() != 200) {
                    sink.failed(seq, "HTTP " + result.getResponse().getStatus() + " from " + endpoint);
                } else if (!contains(getContent(), ALL_PUBLISHED)) {
                    sink.failed(seq, "batch not wholly published: " + abbreviate(getContentAsString()));
                } else {
                    for (int i = 0; i < batch; i++) {
                        sink.delivered(i, seq);
                    }
                }
            }
        });
    }

    private static boolean contains(byte[] content, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= content.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (content[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    @Override
    public int deliveriesPerSend() {
        return batch;
    }

    @Override
    public boolean ordered() {
        return false;
    }

    @Override
    public ServerProbe probe() {
        return probe;
    }

    @Override
    public void close() throws Exception {
        if (client != null) {
            client.stop();
        }
    }
}
