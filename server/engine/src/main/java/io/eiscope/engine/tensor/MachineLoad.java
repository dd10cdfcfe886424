package io.eiscope.engine.tensor;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many cores the machine's other programs use: the CPU time the whole machine spent busy (the kernel's
 * {@code /proc/stat}, the hypervisor's steal included) less this process's own, over the last {@link
 * #WINDOW_NANOS}, in cores. A spare core that another program keeps busy is not spare: a product half lent to it
 * waits for the scheduler and holds up its caller (docs/benchmarks.md, "Spare cores"), so {@link IntraOp} lends
 * only the cores the others leave free. Sampled by one daemon thread, started with the first spare core; where
 * {@code /proc/stat} cannot be read (not Linux), the others count as using nothing, as before this class.
 */
final class MachineLoad {
    private MachineLoad() {}

    /** The sampling window: short enough to stop lending within a fraction of a second of another program starting. */
    static final long WINDOW_NANOS = 250_000_000L;

    private static final Path STAT = Path.of("/proc/stat");
    private static final java.util.regex.Pattern SPACES = java.util.regex.Pattern.compile("\\s+");
    private static volatile double others;
    private static volatile boolean started;

    /** Cores the other programs used over the last window (0 until the first window has passed). */
    static double otherCores() {
        return others;
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
        com.sun.management.OperatingSystemMXBean os =
                ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean m
                        ? m
                        : null;
        long[] last = machineTicks();
        if (last == null || os == null) return; // nothing to read: the others count as idle
        long lastOwn = os.getProcessCpuTime(), lastWall = System.nanoTime();
        while (true) {
            try {
                Thread.sleep(WINDOW_NANOS / 1_000_000);
            } catch (InterruptedException e) {
                return;
            }
            long[] now = machineTicks();
            long own = os.getProcessCpuTime(), wall = System.nanoTime();
            if (now == null) return;
            others = otherCores(last, now, own - lastOwn, wall - lastWall);
            last = now;
            lastOwn = own;
            lastWall = wall;
        }
    }

    /**
     * The cores others used between two readings of {@code /proc/stat} ({@link #machineTicks}), {@code wallNanos}
     * apart, during which this process used {@code ownNanos} of CPU time: the machine's busy cores less this
     * process's.
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
