package io.herald.bench.load;

/**
 * The publish load of {@link HttpPublishScenario} against a {@link CeilingServer} started in this JVM for
 * the run: the ceiling that Herald's own publish API is compared with. The server's CPU is read from its
 * own threads.
 */
public final class CeilingScenario implements Scenario {

    private final LoadOptions options;
    private CeilingServer server;
    private HttpPublishScenario publish;

    public CeilingScenario(LoadOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "ceiling";
    }

    @Override
    public void open(DeliverySink sink) throws Exception {
        server = new CeilingServer("127.0.0.1", 0).start();
        publish = new HttpPublishScenario(name(), server.publishUri(), options.channel(), options.pad(),
                options.connections(), null, new ThreadsProbe("ceiling server", server.threads()));
        publish.open(sink);
    }

    @Override
    public void send(long seq) {
        publish.send(seq);
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
        return publish.probe();
    }

    @Override
    public void close() throws Exception {
        try {
            if (publish != null) {
                publish.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }
}
