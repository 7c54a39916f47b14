package io.herald.bench.load;

import java.util.List;

/**
 * The scenarios the generator knows, by name: {@code ceiling} (the raw handler, in this JVM or, with
 * {@code --ceiling-url}, in its own process), {@code publish} (Herald's publish API) and {@code publish-batch}
 * (the same API, {@code --batch} messages per request). A transport adds its
 * own here (e.g. {@code sse}: N SSE
 * connections on one channel, a publisher at a fixed rate).
 */
public final class Scenarios {

    /** Names accepted by {@link #create}. */
    public static final List<String> NAMES = List.of("ceiling", "publish", "publish-batch", "sse-fanout");

    private Scenarios() {
    }

    /**
     * A fresh scenario named {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Scenario create(String name, LoadOptions options) {
        return switch (name) {
            case "ceiling" -> options.ceilingUrl() == null
                    ? new CeilingScenario(options)
                    : new HttpPublishScenario("ceiling", options.ceilingUrl(), options.channel(), options.pad(),
                            options.connections(), null, probe(options.ceilingPid()));
            case "publish" -> new HttpPublishScenario("publish", options.url(), options.channel(), options.pad(),
                    options.connections(), options.apiKey(),
                    probe(options.serverPid()));
            case "publish-batch" -> new BatchPublishScenario(options.url(), options.channel(), options.pad(),
                    options.connections(), options.apiKey(), options.batch(), probe(options.serverPid()));
            case "sse-fanout" -> io.herald.bench.load.sse.SseFanoutScenario.herald(options, probe(options.serverPid()));
            default -> throw new IllegalArgumentException("unknown scenario '" + name + "'; known: " + String.join(", ", NAMES));
        };
    }

    private static ServerProbe probe(long pid) {
        return pid >= 0 ? new ProcProbe(pid) : ServerProbe.NONE;
    }
}
