package io.herald.bench.load;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load generator's options, parsed from {@code --name value} (or {@code --name=value}) arguments.
 * Immutable once parsed.
 *
 * @param scenarios scenario names, run one after another in each repetition (e.g. {@code ceiling,publish})
 * @param url the Herald publish endpoint for the {@code publish} scenario
 * @param serverPid the Herald server's process id, for CPU and memory readings; -1 for none
 * @param ceilingUrl the publish endpoint of a ceiling server running in its own process
 *     ({@code serve-ceiling}), or {@code null} to start the ceiling inside the load generator
 * @param ceilingPid that ceiling process's id, for CPU and memory readings; -1 for none
 * @param rate messages per second, offered on a fixed schedule
 * @param warmupSeconds seconds of load before measuring
 * @param durationSeconds seconds of measured load
 * @param drainSeconds how long to wait after the schedule for late deliveries before counting them lost
 * @param repeat repetitions of the whole scenario list (alternating scenarios)
 * @param channel the channel published to
 * @param pad filler characters in each message's data
 * @param connections HTTP connections the client may open to the server
 * @param apiKey bearer key for the publish API, or {@code null}
 * @param heap whether to read heap after GC at the end of each run (forces a GC in the server)
 * @param batch messages per request of the {@code publish-batch} scenario
 */
public record LoadOptions(List<String> scenarios, URI url, long serverPid, URI ceilingUrl, long ceilingPid, double rate, double warmupSeconds,
                          double durationSeconds, double drainSeconds, int repeat, String channel, int pad,
                          int connections, String apiKey, boolean heap, int batch) {

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("scenarios", "ceiling");
        DEFAULTS.put("url", "http://127.0.0.1:8080/api/publish");
        DEFAULTS.put("server-pid", "-1");
        DEFAULTS.put("ceiling-url", "");
        DEFAULTS.put("ceiling-pid", "-1");
        DEFAULTS.put("rate", "1000");
        DEFAULTS.put("warmup", "5");
        DEFAULTS.put("duration", "20");
        DEFAULTS.put("drain", "5");
        DEFAULTS.put("repeat", "1");
        DEFAULTS.put("channel", "/bench/a");
        DEFAULTS.put("pad", "64");
        DEFAULTS.put("connections", "16");
        DEFAULTS.put("api-key", "");
        DEFAULTS.put("heap", "true");
        DEFAULTS.put("batch", "10");
    }

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException naming the option that is unknown, missing its value or out of range
     */
    public static LoadOptions parse(String... args) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("expected an option starting with --, got '" + arg + "'");
            }
            String name;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(2, eq);
                value = arg.substring(eq + 1);
            } else {
                name = arg.substring(2);
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                }
                value = args[++i];
            }
            if (!DEFAULTS.containsKey(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; known: --" + String.join(", --", DEFAULTS.keySet()));
            }
            values.put(name, value);
        }
        List<String> scenarios = new ArrayList<>();
        for (String s : values.get("scenarios").split(",")) {
            if (!s.isBlank()) {
                scenarios.add(s.trim());
            }
        }
        if (scenarios.isEmpty()) {
            throw new IllegalArgumentException("option --scenarios names no scenario");
        }
        URI url = uri(values, "url");
        URI ceilingUrl = values.get("ceiling-url").isEmpty() ? null : uri(values, "ceiling-url");
        String key = values.get("api-key");
        return new LoadOptions(List.copyOf(scenarios), url,
                number(values, "server-pid", -1, Long.MAX_VALUE).longValue(),
                ceilingUrl,
                number(values, "ceiling-pid", -1, Long.MAX_VALUE).longValue(),
                number(values, "rate", 0.001, 10_000_000).doubleValue(),
                number(values, "warmup", 0, 86_400).doubleValue(),
                number(values, "duration", 0.001, 86_400).doubleValue(),
                number(values, "drain", 0, 3_600).doubleValue(),
                number(values, "repeat", 1, 1000).intValue(),
                values.get("channel"),
                number(values, "pad", 0, 1 << 20).intValue(),
                number(values, "connections", 1, 100_000).intValue(),
                key.isEmpty() ? null : key,
                Boolean.parseBoolean(values.get("heap")),
                number(values, "batch", 1, 100_000).intValue());
    }

    /** Messages sent during warm-up. */
    public long warmupSends() {
        return Math.round(rate * warmupSeconds);
    }

    /** Messages sent while measuring. */
    public long measuredSends() {
        return Math.max(1, Math.round(rate * durationSeconds));
    }

    private static URI uri(Map<String, String> values, String name) {
        String text = values.get(name);
        try {
            URI uri = URI.create(text);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("option --" + name + " must be an absolute http URL, got '" + text + "'");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("option --")) {
                throw e;
            }
            throw new IllegalArgumentException("option --" + name + " is not a URL: '" + text + "'", e);
        }
    }

    private static Number number(Map<String, String> values, String name, double min, double max) {
        String text = values.get(name);
        double value;
        try {
            value = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + name + " must be a number, got '" + text + "'");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("option --" + name + " must be between " + min + " and " + max + ", got " + text);
        }
        return value;
    }
}
