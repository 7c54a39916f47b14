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
 * HTTP publish load: each send is one {@code POST} of {@code {"channel":...,"data":{"seq":N,...}}} to a
 * publish endpoint, and its delivery is the 200 answer (one stream). Any other status, or a failure, is an
 * error and the message counts as lost. Acknowledgements over a pool of connections come back in any order,
 * so reordering is not counted. Sends are asynchronous (Jetty {@link HttpClient}); requests beyond the open
 * connections queue in the client.
 */
public final class HttpPublishScenario implements Scenario {

    private static final long TIMEOUT_SECONDS = 30;

    private final String name;
    private final URI endpoint;
    private final String channel;
    private final int pad;
    private final int connections;
    private final String apiKey;
    private final ServerProbe probe;
    private HttpClient client;
    private DeliverySink sink;

    public HttpPublishScenario(String name, URI endpoint, String channel, int pad, int connections, String apiKey,
                               ServerProbe probe) {
        this.name = name;
        this.endpoint = endpoint;
        this.channel = channel;
        this.pad = pad;
        this.connections = connections;
        this.apiKey = apiKey;
        this.probe = probe;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void open(DeliverySink sink) throws Exception {
        this.sink = sink;
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName("load-client");
        client = new HttpClient();
        client.setExecutor(pool);
        client.setMaxConnectionsPerDestination(connections);
        // Open loop: a slow server must make requests wait (and show as latency), never be refused here.
        client.setMaxRequestsQueuedPerDestination(1 << 22);
        client.setFollowRedirects(false);
        client.start();
    }

    @Override
    public void send(long seq) {
        byte[] body = LoadPayload.publishBody(channel, seq, pad).getBytes(StandardCharsets.UTF_8);
        var request = client.newRequest(endpoint)
                .method(HttpMethod.POST)
                .body(new BytesRequestContent("application/json", body))
                .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (apiKey != null) {
            request.headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + apiKey));
        }
        request.send(result -> {
            if (result.isSucceeded() && result.getResponse().getStatus() == 200) {
                sink.delivered(0, seq);
            } else if (result.getFailure() != null) {
                sink.failed(seq, result.getFailure().toString());
            } else {
                sink.failed(seq, "HTTP " + result.getResponse().getStatus() + " from " + endpoint);
            }
        });
    }

    @Override
    public int deliveriesPerSend() {
        return 1;
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
