package io.herald.bench.load.sse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How quiet a CPU is: a thread that only reads the clock, spinning on it, and the gaps between two readings
 * longer than a millisecond, i.e. times something else held the CPU (another process, the kernel, the host of a
 * virtual machine). On a quiet CPU the longest gap is a few milliseconds; machines seen here gave 20-64 ms right
 * after boot (docs/benchmarks.md, "the publish path primed"), which alone is the p99 of a fan-out at 1,000
 * streams. The suite measures the servers' CPU (in a process pinned there) and its own before a run, so every
 * report tells how far its latencies can be trusted. Thread-safe (stateless).
 */
public final class SchedulingJitter {

    private static final long GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Pattern JSON = Pattern.compile("\\{\"jitterCpu\":(-?\\d+),\"seconds\":([\\d.]+),\"gaps\":(\\d+),"
            + "\"gapMillis\":([\\d.]+),\"longestMillis\":([\\d.]+)}");

    /**
     * @param cpu the CPU measured, -1 for "wherever this process may run"
     * @param gaps how many times the spinning thread saw more than 1 ms pass between two clock readings
     * @param gapMillis those gaps' total
     * @param longestMillis the longest gap
     */
    public record Result(int cpu, double seconds, long gaps, double gapMillis, double longestMillis) {

        public String toJson() {
            return String.format(Locale.ROOT, "{\"jitterCpu\":%d,\"seconds\":%.1f,\"gaps\":%d,\"gapMillis\":%.1f,\"longestMillis\":%.1f}",
                    cpu, seconds, gaps, gapMillis, longestMillis);
        }

        static Result parse(String json) {
            Matcher m = JSON.matcher(json.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("not a jitter result: " + json);
            }
            return new Result(Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)), Long.parseLong(m.group(3)),
                    Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)));
        }

        /** One line for a report: {@code CPU 0: longest gap 4.1 ms, 12 gaps > 1 ms (31 ms in all) in 5 s}. */
        public String describe() {
            return String.format(Locale.ROOT, "%s: longest gap %.1f ms, %d gaps > 1 ms (%.0f ms in all) in %.0f s",
                    cpu < 0 ? "its own CPU" : "CPU " + cpu, longestMillis, gaps, gapMillis, seconds);
        }
    }

    private SchedulingJitter() {
    }

    /** Spins on the clock in the calling thread for {@code seconds} (after half a second to get it compiled). */
    public static Result measureHere(int cpu, double seconds) {
        spin(0.5);
        long[] figures = spin(seconds);
        return new Result(cpu, seconds, figures[0], figures[1] / 1e6, figures[2] / 1e6);
    }

    /** {gaps, their total nanoseconds, the longest}. */
    private static long[] spin(double seconds) {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long last = start;
        long gaps = 0;
        long total = 0;
        long longest = 0;
        for (long now = start; now < end; now = System.nanoTime()) {
            long gap = now - last;
            if (gap > GAP_NANOS) {
                gaps++;
                total += gap;
                longest = Math.max(longest, gap);
            }
            last = now;
        }
        return new long[] {gaps, total, longest};
    }

    /**
     * Measures {@code cpu} from a JVM pinned there with {@code taskset} (the caller's own affinity stays as it
     * is), for {@code seconds}.
     */
    public static Result onCpu(int cpu, double seconds) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of("taskset", "-c", Integer.toString(cpu), java, "-Xmx64m", "-cp",
                System.getProperty("java.class.path"), SchedulingJitter.class.getName(), Integer.toString(cpu), Double.toString(seconds)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor((long) seconds + 30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("the jitter probe on CPU " + cpu + " failed: " + output.trim());
        }
        return Result.parse(output.lines().reduce((a, b) -> b).orElse(""));
    }

    /** {@code SchedulingJitter <cpu label> <seconds>}: prints one {@link Result} as JSON. */
    public static void main(String[] args) {
        System.out.println(measureHere(Integer.parseInt(args[0]), Double.parseDouble(args[1])).toJson());
    }
}
