package io.eiscope.engine.tensor;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many cores are free for lending now: the machine's cores, less those the lending runs' own threads keep
 * busy (the callers), less what everything else uses. "Everything else" is the CPU time the whole machine spent
 * busy (the kernel's {@code /proc/stat}, the hypervisor's steal included) less the lending threads' own (callers
 * and helpers, by {@link ThreadMXBean}), over the last {@link #WINDOW_NANOS}: other programs, and this process's
 * other threads too (its event loops, its analysis pool, its garbage collector, runs that never lend). A core they
 * keep busy is not spare: a half lent to it waits for the scheduler and holds up its caller (docs/benchmarks.md,
 * "Spare cores"). Sampled by one daemon thread, started with the first spare core; where {@code /proc/stat} or
 * thread CPU times cannot be read, nothing is known and nothing is taken off.
 */
final class MachineLoad {
    private MachineLoad() {}

    /** The sampling window: short enough to stop lending within a fraction of a second of another program starting. */
    static final long WINDOW_NANOS = 250_000_000L;

    /** A caller counts as holding its core when it ran for at least this share of the window. */
    static final double ACTIVE_CALLER = 0.25;

    private static final Path STAT = Path.of("/proc/stat");
    private static final java.util.regex.Pattern SPACES = java.util.regex.Pattern.compile("\\s+");
    /** The lending threads, true for a caller (a run's training thread), false for a helper; their CPU is their own. */
    private static final Map<Thread, Boolean> LENDERS = new ConcurrentHashMap<>();

    private static volatile double others;
    private static volatile int free = Integer.MAX_VALUE;
    private static volatile boolean started;
    /** Guards {@link #windows}; its waiters are woken at the end of each window. */
    private static final Object WINDOW = new Object();
    /** Windows sampled so far. */
    private static long windows;

    /** Cores the rest of the machine used over the last window (0 until the first window has passed). */
    static double otherCores() {
        return others;
    }

    /** Cores free for lending, as of the last window (no limit until one has passed, or where nothing can be read). */
    static int freeCores() {
        return free;
    }

    /** Counts {@code t}'s CPU time as the lending's own: a helper, or a caller that lent a half ({@code caller}). */
    static void own(Thread t, boolean caller) {
        LENDERS.put(t, caller);
    }

    /**
     * Waits until {@code n} more windows have been sampled after this call, or {@code timeoutNanos} has passed
     * (for tests: what a window sees is then settled). True if they were.
     */
    static boolean awaitWindows(int n, long timeoutNanos) throws InterruptedException {
        long end = System.nanoTime() + timeoutNanos;
        synchronized (WINDOW) {
            long target = windows + n;
            for (long left = timeoutNanos; windows < target && left > 0; left = end - System.nanoTime())
                WINDOW.wait(Math.max(1, left / 1_000_000));
            return windows >= target;
        }
    }

    /** Starts the sampler thread, once. */
    static synchronized void start() {
        if (started) return;
        started = true;
        Thread t = new Thread(MachineLoad::sample, "eiscope-machine-load");
        t.setDaemon(true);
        t.start();
    }

    private static void sample() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] last = machineTicks();
        if (last == null || !threads.isThreadCpuTimeSupported()) return; // nothing to read: nothing taken off
        if (!threads.isThreadCpuTimeEnabled()) threads.setThreadCpuTimeEnabled(true);
        Map<Thread, Long> lastCpu = new java.util.HashMap<>();
        long lastWall = System.nanoTime();
        while (true) {
            try {
                Thread.sleep(WINDOW_NANOS / 1_000_000);
            } catch (InterruptedException e) {
                return;
            }
            long[] now = machineTicks();
            long wall = System.nanoTime();
            if (now == null) return;
            long ownNanos = 0;
            int callers = 0;
            LENDERS.keySet().removeIf(t -> !t.isAlive());
            lastCpu.keySet().retainAll(LENDERS.keySet());
            for (Map.Entry<Thread, Boolean> e : LENDERS.entrySet()) {
                Thread t = e.getKey();
                long cpu = threads.getThreadCpuTime(t.getId());
                Long before = lastCpu.put(t, cpu);
                if (before == null || cpu < 0) continue; // new this window: from the next one on
                long used = cpu - before;
                ownNanos += used;
                if (e.getValue() && used >= ACTIVE_CALLER * (wall - lastWall)) callers++;
            }
            others = otherCores(last, now, ownNanos, wall - lastWall);
            free = (int) Math.max(0, Math.round(now[2] - callers - others));
            last = now;
            lastWall = wall;
            synchronized (WINDOW) {
                windows++;
                WINDOW.notifyAll();
            }
        }
    }

    /**
     * The cores the rest of the machine used between two readings of {@code /proc/stat} ({@link #machineTicks}),
     * {@code wallNanos} apart, during which the lending threads used {@code ownNanos} of CPU time: the machine's
     * busy cores less theirs.
     */
    static double otherCores(long[] before, long[] after, long ownNanos, long wallNanos) {
        long all = after[1] - before[1];
        if (all <= 0 || wallNanos <= 0) return 0;
        double busyCores = (double) (after[0] - before[0]) / all * after[2];
        return Math.max(0, busyCores - (double) ownNanos / wallNanos);
    }

    /**
     * {busy, all, cores}: ticks summed over every core from {@code /proc/stat}'s "cpu" line (user, nice, system,
     * idle, iowait, irq, softirq, steal; busy is all but idle and iowait) and the number of its "cpuN" lines.
     * Null where it cannot be read.
     */
    static long[] machineTicks() {
        try {
            return parse(Files.readAllLines(STAT));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static long[] parse(java.util.List<String> stat) {
        String[] f = SPACES.splitAsStream(stat.get(0).trim()).toArray(String[]::new);
        if (!f[0].equals("cpu") || f.length < 9)
            throw new IllegalArgumentException("not /proc/stat's cpu line: " + stat.get(0));
        long all = 0, idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        for (int i = 1; i <= 8; i++) all += Long.parseLong(f[i]);
        long cores = stat.stream().filter(l -> l.matches("cpu\\d+\\s.*")).count();
        return new long[] {all - idle, all, cores};
    }
}
