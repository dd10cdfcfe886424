package io.eiscope.engine.tensor;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Spare cores lent to the large matrix products of the runs that play (issue 13, "idle cores work"). A
 * server with fewer runs playing than cores says how many cores are spare ({@link #setSpareCores}); a product
 * large enough then computes half of its output on a helper thread while the caller computes the other half
 * ({@link #fork}). Each half is an ordinary single-threaded product over a block of rows or columns of the
 * output, so no sum is reordered and the bits are those of the whole product (checked at start-up: {@link
 * OpenBlas}); a run's weights do not depend on whether cores were spare.
 *
 * <p>A half waits in the helpers' queue until a helper takes it, and the caller, once done with its own half,
 * takes back a half that no helper has started and computes it itself. A helper that has started a half and is
 * then held up does hold up its caller, so a core that other programs or this server's other threads keep more
 * than half busy is not lent at all ({@link MachineLoad}; with a back-off alone, a run with a busy "spare" core
 * was up to 15 % slower: docs/benchmarks.md, "Spare cores"), and lending stops for {@link #BACKOFF_NANOS} when
 * helpers finish their halves twice as late as their callers {@link #LATE_IN_A_ROW} times in a row. Spare cores
 * are 0 until set, so a program that does not set them (the tests, the validation harnesses) runs every
 * product on its own thread.
 */
public final class IntraOp {
    private IntraOp() {}

    /** Helper threads: one per core but the caller's, started on first use. */
    static final int HELPERS = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);

    private static volatile int spare;
    private static final AtomicInteger lent = new AtomicInteger();
    private static final AtomicLong helped = new AtomicLong();
    private static final AtomicLong takenBack = new AtomicLong();
    private static final LinkedBlockingQueue<Half> QUEUE = new LinkedBlockingQueue<>();
    private static volatile boolean started;
    private static volatile java.util.function.UnaryOperator<Runnable> helperSetup = r -> r;

    /**
     * How a helper thread starts: a server gives its helpers the priority of its training threads. Takes
     * effect for helpers not yet started (they start at the first lent product).
     */
    public static void setHelperSetup(java.util.function.UnaryOperator<Runnable> setup) {
        helperSetup = setup;
    }

    /**
     * Cores no playing run uses now (clamped to 0 .. cores - 1): how many products may have a half on a helper
     * at once. A server sets it as runs start and stop playing.
     */
    public static void setSpareCores(int cores) {
        spare = Math.max(0, Math.min(HELPERS, cores));
        if (spare > 0) MachineLoad.start();
    }

    private static volatile boolean heedsOthers = true;
    private static final ThreadLocal<Boolean> CALLER = ThreadLocal.withInitial(() -> false);

    /** Whether only the cores {@link MachineLoad} finds free are lent (tests turn it off to lend every time). */
    static void setHeedsMachineLoad(boolean on) {
        heedsOthers = on;
    }

    /**
     * The spare cores, and no more than are free now ({@link MachineLoad}: the machine's cores less the lending
     * runs' own and less what everything else keeps busy, rounded: a core more than half busy is not free).
     */
    static int available() {
        int s = spare;
        return heedsOthers ? Math.min(s, MachineLoad.freeCores()) : s;
    }

    /** Cores the rest of the machine (other programs, this server's other threads) used lately (for metrics). */
    public static double coresUsedElsewhere() {
        return MachineLoad.otherCores();
    }

    /** Sets the lending budget without the clamp to the helpers (a test's way to have more halves than helpers). */
    static void setLendingBudget(int halves) {
        spare = halves;
    }

    /** The spare cores set last. */
    public static int spareCores() {
        return spare;
    }

    /** Halves that helpers computed so far (for tests and metrics). */
    public static long helpedHalves() {
        return helped.get();
    }

    /** Halves handed to the helpers that their callers took back, no helper having started them. */
    public static long takenBackHalves() {
        return takenBack.get();
    }

    /** True when a product may lend now: some core is spare and not busy with other programs, and helpers have kept up lately. */
    static boolean lends() {
        if (!CALLER.get()) {
            CALLER.set(true);
            MachineLoad.own(Thread.currentThread(), true); // its core is its own, not taken by others
        }
        return available() > 0 && System.nanoTime() - slowSince >= BACKOFF_NANOS;
    }

    /**
     * How long lending stops after a helper finished its half much later than its caller finished the other:
     * the spare core is busy after all (another program, which the server cannot see), and a product that
     * waits for a half on a shared core is slower than one computed alone.
     */
    static final long BACKOFF_NANOS = 200_000_000L;

    private static volatile long slowSince = System.nanoTime() - BACKOFF_NANOS;

    /**
     * Halves finished twice as late as their callers', one after the other, that stop the lending. One alone is
     * a hiccup (a virtual machine's core can be away for a millisecond while nothing else runs here: measured,
     * backing off at every late half lent only a fraction of an idle machine's products); a core kept busy is
     * late every time.
     */
    static final int LATE_IN_A_ROW = 3;

    private static final AtomicInteger lateInARow = new AtomicInteger();
    private static final AtomicLong backOffs = new AtomicLong();

    private static volatile boolean backsOff = true;

    /** Whether lending stops for a while after a helper fell behind (tests turn it off to lend every time). */
    static void setBacksOff(boolean on) {
        backsOff = on;
        slowSince = System.nanoTime() - BACKOFF_NANOS;
    }

    /** Times lending stopped for a while because a helper fell behind its caller. */
    public static long backOffs() {
        return backOffs.get();
    }

    /** Runs {@code first} on this thread and {@code second} on a spare core if one is free; returns after both. */
    static void fork(Runnable first, Runnable second) {
        if (lent.incrementAndGet() > available()) {
            lent.decrementAndGet();
            first.run();
            second.run();
            return;
        }
        try {
            startHelpers();
            Half h = new Half(second, Thread.currentThread());
            QUEUE.add(h);
            Throwable failed = null;
            long start = System.nanoTime();
            try {
                first.run();
            } catch (RuntimeException | Error e) {
                failed = e; // the other half is not left writing after this returns: taken back or waited for
            }
            long own = System.nanoTime() - start;
            if (h.state.compareAndSet(Half.WAITING, Half.TAKEN_BACK)) {
                if (failed == null) {
                    takenBack.incrementAndGet();
                    second.run();
                }
            } else {
                for (long until = System.nanoTime() + SPIN_NANOS;
                        h.state.get() != Half.DONE && System.nanoTime() < until; ) Thread.onSpinWait();
                while (h.state.get() != Half.DONE) LockSupport.park(h);
                long waited = System.nanoTime() - start - own;
                if (waited <= own) lateInARow.set(0);
                else if (backsOff && lateInARow.incrementAndGet() >= LATE_IN_A_ROW) { // its core is busy
                    lateInARow.set(0);
                    slowSince = System.nanoTime();
                    backOffs.incrementAndGet();
                }
                if (failed == null && h.failure != null)
                    failed = new IllegalStateException("a product's half failed on a helper", h.failure);
            }
            if (failed instanceof RuntimeException r) throw r;
            if (failed instanceof Error e) throw e;
        } finally {
            lent.decrementAndGet();
        }
    }

    private static synchronized void startHelpers() {
        if (started) return;
        for (int i = 1; i <= HELPERS; i++) {
            Thread t = new Thread(helperSetup.apply(IntraOp::help), "eiscope-intraop-" + i);
            t.setDaemon(true);
            MachineLoad.own(t, false);
            t.start();
        }
        started = true;
    }

    /**
     * How long a helper spins for the next half before it sleeps, and a caller for its lent half before it
     * parks: a step's products come back to back, and waking a sleeping thread costs tens of microseconds on a
     * virtual machine, against halves from about 0.1 ms (measured: without the spin, batch-32 splits were up to
     * 17 % slower on an idle machine).
     */
    static final long SPIN_NANOS = 200_000;

    private static void help() {
        while (true) {
            Half h = QUEUE.poll();
            for (long until = System.nanoTime() + SPIN_NANOS; h == null && System.nanoTime() < until; ) {
                Thread.onSpinWait();
                h = QUEUE.poll();
            }
            try {
                if (h == null) h = QUEUE.take();
            } catch (InterruptedException e) {
                return;
            }
            if (!h.state.compareAndSet(Half.WAITING, Half.RUNNING)) continue; // its caller took it back
            try {
                h.task.run();
                helped.incrementAndGet();
            } catch (Throwable t) {
                h.failure = t;
            }
            h.state.set(Half.DONE);
            LockSupport.unpark(h.caller);
        }
    }

    /** Half of a product handed to the helpers. */
    private static final class Half {
        static final int WAITING = 0, RUNNING = 1, DONE = 2, TAKEN_BACK = 3;
        final Runnable task;
        final Thread caller;
        final AtomicInteger state = new AtomicInteger(WAITING);
        volatile Throwable failure;

        Half(Runnable task, Thread caller) {
            this.task = task;
            this.caller = caller;
        }
    }
}
