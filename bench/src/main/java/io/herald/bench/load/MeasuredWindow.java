package io.herald.bench.load;

import io.herald.bench.load.sse.MachineLoad;

/**
 * Who used the CPU over a run's measured window: the load generator itself, the server (its probe), and the
 * rest of the machine (other builds or benchmarks on a shared box). A fan-out scenario opens the window at its
 * first measured send and closes it when the run ends, so a run limited by the client rather than the server,
 * or disturbed by a neighbour, can be told apart. Not thread-safe: opened and closed by the run's driver;
 * the shares are safe to read from any thread once closed.
 */
public final class MeasuredWindow {

    private final ProcProbe self = new ProcProbe(ProcessHandle.current().pid());
    private final ServerProbe server;
    private long wallStart;
    private long clientCpuStart = -1;
    private long serverCpuStart;
    private long machineBusyStart;
    private volatile double clientCpuShare = -1;
    private volatile double otherCpuShare = -1;

    public MeasuredWindow(ServerProbe server) {
        this.server = server;
    }

    /** Starts the window (the first measured send). */
    public void open() {
        wallStart = System.nanoTime();
        clientCpuStart = self.cpuNanos();
        serverCpuStart = server.cpuNanos();
        machineBusyStart = MachineLoad.busyNanos();
    }

    /** Ends the window, if it was opened, and computes the shares. */
    public void close() {
        if (clientCpuStart < 0) {
            return;
        }
        long wall = System.nanoTime() - wallStart;
        long client = self.cpuNanos() - clientCpuStart;
        long serverCpu = server.cpuNanos() - serverCpuStart;
        long machine = MachineLoad.busyNanos() - machineBusyStart;
        clientCpuShare = wall > 0 ? client / (double) wall : -1;
        otherCpuShare = wall > 0 && serverCpu >= 0 && machine >= 0 ? Math.max(0, machine - client - serverCpu) / (double) wall : -1;
    }

    /** The load generator's CPU time over the window divided by its wall time (1.0 = one core busy); -1 when unknown. */
    public double clientCpuShare() {
        return clientCpuShare;
    }

    /**
     * CPU time the rest of the machine (neither the server nor this load generator) used over the window,
     * divided by its wall time. Above ~0.1 the run was disturbed. -1 when unknown.
     */
    public double otherCpuShare() {
        return otherCpuShare;
    }
}
