package io.herald.bench.load;

import java.util.List;

/**
 * The scenarios the generator knows, by name. A transport adds its own here (e.g. {@code sse}: N SSE
 * connections on one channel, a publisher at a fixed rate).
 */
public final class Scenarios {

    /** Names accepted by {@link #create}. */
    public static final List<String> NAMES = List.of("ceiling", "publish");

    private Scenarios() {
    }

    /**
     * A fresh scenario named {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Scenario create(String name, LoadOptions options) {
        return switch (name) {
            case "ceiling" -> new CeilingScenario(options);
            case "publish" -> new HttpPublishScenario("publish", options.url(), options.channel(), options.pad(),
                    options.connections(), options.apiKey(),
                    options.serverPid() >= 0 ? new ProcProbe(options.serverPid()) : ServerProbe.NONE);
            default -> throw new IllegalArgumentException("unknown scenario '" + name + "'; known: " + String.join(", ", NAMES));
        };
    }
}
