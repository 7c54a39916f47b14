package io.herald.bench.load.sse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.herald.bench.load.ProcProbe;

/**
 * The whole machine's busy CPU time from the first line of {@code /proc/stat} (all fields but idle and
 * iowait), so a run can tell how much CPU something other than the server and the load generator took,
 * and one CPU's busy and softirq time from its {@code cpuN} line. Thread-safe (stateless).
 */
public final class MachineLoad {

    private MachineLoad() {
    }

    /** Busy CPU time of all CPUs since boot, in nanoseconds; -1 if {@code /proc/stat} cannot be read. */
    public static long busyNanos() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII).get(0);
            return busyTicks(first) * 1_000_000_000L / ProcProbe.clockTicksPerSecond();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Busy CPU time of one CPU since boot (the {@code cpuN} line of {@code /proc/stat}), in nanoseconds: every
     * process on it and the kernel's own work there (interrupts, softirqs such as loopback TCP receive), which a
     * process's {@code utime + stime} does not always include; -1 if it cannot be read.
     */
    public static long busyNanos(int cpu) {
        try {
            String line = cpuLine(cpu);
            return line == null ? -1 : busyTicks(line) * 1_000_000_000L / ProcProbe.clockTicksPerSecond();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Softirq time of one CPU since boot, in clock ticks (USER_HZ, 100 a second on Linux whatever the kernel's
     * HZ): on loopback the sending core also runs the receiving side of TCP there, and this machine's kernel has
     * episodes in which that work costs ~2x (docs/benchmarks.md, "the slow mode read per thread"). Ticks rather
     * than nanoseconds: the counter's own unit, so its resolution (one tick, 10 ms) stays visible in the
     * figures. -1 if it cannot be read.
     */
    public static long softirqTicks(int cpu) {
        try {
            String line = cpuLine(cpu);
            return line == null ? -1 : softirqTicks(line);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The softirq field (the 7th value) of a {@code cpuN user nice system idle iowait irq softirq ...} line. */
    static long softirqTicks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (f.length < 8 || !f[0].startsWith("cpu")) {
            throw new IllegalArgumentException("not a /proc/stat cpu line with a softirq field: " + cpuLine);
        }
        return Long.parseLong(f[7]);
    }

    /** The {@code cpuN} line of {@code /proc/stat}, or null when there is no such CPU. */
    private static String cpuLine(int cpu) throws IOException {
        String prefix = "cpu" + cpu + " ";
        for (String line : Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII)) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        return null;
    }

    /** Busy ticks of a {@code cpu  user nice system idle iowait irq softirq steal ...} line. */
    static long busyTicks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        long busy = 0;
        // Fields 1..8: user nice system idle iowait irq softirq steal; guest time is already in user.
        for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(f[i]);
            }
        }
        return busy;
    }
}
