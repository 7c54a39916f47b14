package io.herald.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Probes another process through Linux {@code /proc}: CPU time is {@code utime + stime} from
 * {@code /proc/<pid>/stat} in clock ticks ({@code getconf CLK_TCK}, 100 when it cannot be read), RSS is
 * {@code VmRSS} from {@code /proc/<pid>/status}, and heap after GC comes from {@code jcmd <pid> GC.run} then
 * {@code GC.heap_info} when the process is a JVM. Thread-safe.
 */
public final class ProcProbe implements ServerProbe {

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final long CLOCK_TICKS = clockTicks();

    private final long pid;
    private final int core;

    public ProcProbe(long pid) {
        this(pid, -1);
    }

    /** A probe of {@code pid}, which runs pinned to CPU {@code core} ({@code -1}: not pinned to one CPU). */
    public ProcProbe(long pid, int core) {
        if (!Files.isReadable(Path.of("/proc", Long.toString(pid), "stat"))) {
            throw new IllegalArgumentException("no process " + pid + " to probe: /proc/" + pid + "/stat is not readable");
        }
        this.pid = pid;
        this.core = core;
    }

    @Override
    public long coreBusyNanos() {
        return core < 0 ? -1 : io.herald.bench.load.sse.MachineLoad.busyNanos(core);
    }

    /** Clock ticks per second of {@code /proc} CPU times. */
    public static long clockTicksPerSecond() {
        return CLOCK_TICKS;
    }

    @Override
    public long cpuNanos() {
        String stat = read("stat");
        return cpuTicks(stat) * 1_000_000_000L / CLOCK_TICKS;
    }

    /** {@code utime + stime} of a {@code /proc/<pid>/stat} line, in clock ticks. */
    static long cpuTicks(String stat) {
        // The command name (field 2) may hold spaces and parentheses; the fields after its closing one do not.
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc stat line: " + stat);
        }
        String[] fields = stat.substring(close + 2).trim().split(" +");
        // fields[0] is field 3 (state); utime is field 14 and stime field 15.
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    @Override
    public long rssBytes() {
        return statusKb(read("status"), "VmRSS") * 1024;
    }

    /** The value in kB of {@code key} in a {@code /proc/<pid>/status} text; -1 if absent. */
    static long statusKb(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                String value = line.substring(key.length() + 1).trim();
                return Long.parseLong(value.split("\\s+")[0]);
            }
        }
        return -1;
    }

    @Override
    public long heapAfterGcBytes() {
        if (jcmd("GC.run") == null) {
            return -1;
        }
        String info = jcmd("GC.heap_info");
        if (info == null) {
            return -1;
        }
        Matcher m = HEAP_USED.matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    @Override
    public String describe() {
        return "process " + pid + " (/proc)";
    }

    private String read(String file) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), file), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid + "/" + file + "; did the server exit?", e);
        }
    }

    private String jcmd(String command) {
        try {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // Fall through to the Linux default.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
