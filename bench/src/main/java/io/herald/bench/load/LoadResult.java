package io.herald.bench.load;

import java.util.List;
import java.util.Locale;

/**
 * The figures of one run. Latencies are in microseconds from each message's scheduled send time; -1 marks
 * a figure that could not be read (no probe, no delivery).
 *
 * @param windowDeliveredPerSecond deliveries of any message (warm-up ones included) that arrived while the measured
 *     messages were being sent, per second of that window: the rate the server kept up during the window, which
 *     a constant delivery lag does not lower (unlike {@code deliveredPerSecond}, whose window ends at the last
 *     delivery); -1 when not counted
 * @param reordered measured deliveries that came after a later message on their stream; -1 for a scenario
 *     whose streams are not ordered (HTTP acknowledgements over a connection pool)
 * @param serverCpuNanos server CPU time (user + system) during the measured window and the drain
 * @param cpuMicrosPerDelivery that CPU time per delivered message
 * @param coreMicrosPerDelivery busy time of the CPU the server is pinned to over the same window (the kernel's
 *     work there included: loopback TCP is partly charged to no process), per delivered message; -1 when the
 *     server is not pinned to one known CPU
 */
public record LoadResult(String scenario, int repetition, double offeredRate, double warmupSeconds,
                         double durationSeconds, long sends, long expected, long delivered,
                         double deliveredPerSecond, double windowDeliveredPerSecond, long lost, long duplicated, long reordered, long errors,
                         String firstError, long p50Micros, long p99Micros, long p999Micros, long maxMicros,
                         long serverCpuNanos, double cpuMicrosPerDelivery, double coreMicrosPerDelivery, long rssBytes, long heapAfterGcBytes,
                         String probe) {

    /** One JSON object on one line. */
    public String toJson() {
        return "{\"scenario\":" + quote(scenario)
                + ",\"repetition\":" + repetition
                + ",\"offeredRate\":" + num(offeredRate)
                + ",\"warmupSeconds\":" + num(warmupSeconds)
                + ",\"durationSeconds\":" + num(durationSeconds)
                + ",\"sends\":" + sends
                + ",\"expected\":" + expected
                + ",\"delivered\":" + delivered
                + ",\"deliveredPerSecond\":" + num(deliveredPerSecond)
                + ",\"windowDeliveredPerSecond\":" + (windowDeliveredPerSecond < 0 ? "null" : num(windowDeliveredPerSecond))
                + ",\"lost\":" + lost
                + ",\"duplicated\":" + duplicated
                + ",\"reordered\":" + (reordered < 0 ? "null" : Long.toString(reordered))
                + ",\"errors\":" + errors
                + ",\"firstError\":" + (firstError == null ? "null" : quote(firstError))
                + ",\"latencyMicros\":{\"p50\":" + opt(p50Micros) + ",\"p99\":" + opt(p99Micros)
                + ",\"p999\":" + opt(p999Micros) + ",\"max\":" + opt(maxMicros) + "}"
                + ",\"serverCpuNanos\":" + opt(serverCpuNanos)
                + ",\"cpuMicrosPerDelivery\":" + (cpuMicrosPerDelivery < 0 ? "null" : num(cpuMicrosPerDelivery))
                + ",\"coreMicrosPerDelivery\":" + (coreMicrosPerDelivery < 0 ? "null" : num(coreMicrosPerDelivery))
                + ",\"rssBytes\":" + opt(rssBytes)
                + ",\"heapAfterGcBytes\":" + opt(heapAfterGcBytes)
                + ",\"probe\":" + quote(probe) + "}";
    }

    /** The column headings of {@link #tableRow()}. */
    public static String tableHeader() {
        return String.format(Locale.ROOT, "%-10s %3s %10s %12s %7s %5s %5s %5s %9s %9s %9s %9s %10s %11s %8s %8s",
                "scenario", "rep", "offered/s", "delivered/s", "lost", "dup", "reord", "err",
                "p50 ms", "p99 ms", "p99.9 ms", "max ms", "cpu us/msg", "core us/msg", "RSS MiB", "heap MiB");
    }

    /** This run as one row of a table. */
    public String tableRow() {
        return String.format(Locale.ROOT, "%-10s %3d %10.0f %12.0f %7d %5d %5s %5d %9s %9s %9s %9s %10s %11s %8s %8s",
                scenario, repetition, offeredRate, deliveredPerSecond, lost, duplicated,
                reordered < 0 ? "n/a" : Long.toString(reordered), errors, ms(p50Micros), ms(p99Micros),
                ms(p999Micros), ms(maxMicros), cpuMicrosPerDelivery < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", cpuMicrosPerDelivery),
                coreMicrosPerDelivery < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", coreMicrosPerDelivery),
                mib(rssBytes), mib(heapAfterGcBytes));
    }

    /** The median of {@code values}; for an even count, the lower middle one. */
    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? Double.NaN : sorted.get((sorted.size() - 1) / 2);
    }

    private static String ms(long micros) {
        return micros < 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    private static String opt(long value) {
        return value < 0 ? "null" : Long.toString(value);
    }

    private static String num(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
