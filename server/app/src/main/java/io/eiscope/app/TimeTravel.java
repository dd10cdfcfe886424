package io.eiscope.app;

import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Intervention;
import io.eiscope.engine.sim.Reconstruction;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.sim.SimulationRunner;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.store.Checkpoints;
import io.eiscope.store.SeriesData;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Time travel: a run's exact state at a step it passed, rebuilt on reconstruction threads
 * (never a run's own thread, never an event loop) from the nearest checkpoint or cached
 * reconstruction at or before it, replaying the run's intervention log with training steps in
 * between. The replayed loss is checked against the recorded one. Reconstructions are kept in a
 * {@link ReconstructionCache} within a memory budget, so scrubbing back and forth, and reading
 * parameters, observables, a fork or a checkpoint at one step, rebuild it once.
 */
final class TimeTravel implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TimeTravel.class);

    /** Threads that rebuild past states; system property {@code eiscope.replayThreads}, default half the cores (at least 1). */
    static final int THREADS = Integer.getInteger(
            "eiscope.replayThreads", Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    /** Reconstructions waiting for a thread at most; more are refused (RESOURCE_EXHAUSTED). */
    static final int MAX_WAITING = 64;
    /** Progress is reported at most this often. */
    static final long PROGRESS_NANOS = 100_000_000L;

    /** Where a reconstruction stands. {@code source}: "checkpoint", "cache", "start" or "live". */
    record Progress(long step, long fromStep, String source, long replayed, long total, boolean done) {}

    /**
     * A rebuilt state, lent to the caller's function on a reconstruction thread.
     *
     * @param log       the run's log up to the step (the entries the state has applied)
     * @param wallNanos when the run passed the step, as recorded (0: not recorded)
     */
    record At(Reconstruction state, List<Intervention> log, long wallNanos) {}

    private final RunArchive archive;
    private final Catalogue catalogue;
    private final EngineContext context;
    private final ReconstructionCache cache;
    private final ExecutorService executor;

    TimeTravel(RunArchive archive, Catalogue catalogue, EngineContext context, long cacheBytes) {
        this.archive = archive;
        this.catalogue = catalogue;
        this.context = context;
        this.cache = new ReconstructionCache(cacheBytes);
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(
                THREADS, THREADS, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(MAX_WAITING), r -> {
                    Thread t = new Thread(r, "eiscope-replay-" + n.incrementAndGet());
                    t.setDaemon(true); // no priority: Linux JVMs ignore Java thread priorities; THREADS bounds the CPU
                    return t;
                });
    }

    ReconstructionCache cache() {
        return cache;
    }

    /**
     * Checks that {@code step} is one the run has passed; returns true when it is the run's
     * step now (answer from the live run), false when it is in the past.
     */
    static boolean isPresent(SimulationRegistry.Entry e, long step) {
        if (step < 0) throw ApiException.invalid("step must be >= 0, got " + step);
        long now = e.runner().step();
        if (step > now)
            throw new ApiException(
                    GrpcStatus.OUT_OF_RANGE,
                    "step " + step + " is ahead of run " + e.runner().id() + ", which is at step " + now
                            + "; step it there first (Control STEP or RunUntil)");
        return step == now;
    }

    /**
     * Rebuilds run {@code e} at past {@code step} and applies {@code use} to it on a
     * reconstruction thread; {@code progress} hears where it stands (on that thread), and
     * {@code cancelled} stops a replay that nobody waits for any more.
     */
    <T> CompletableFuture<T> at(
            SimulationRegistry.Entry e,
            long step,
            Consumer<Progress> progress,
            AtomicBoolean cancelled,
            Function<At, T> use) {
        SimulationRunner runner = e.runner();
        // In this order (see SimulationRunner.resets): the log then holds every entry up to `step`.
        long resets = runner.resets(), now = runner.step();
        List<Intervention> log = runner.interventionLog();
        if (step > now)
            throw new ApiException(
                    GrpcStatus.OUT_OF_RANGE,
                    "step " + step + " is ahead of run " + runner.id() + ", which is at step " + now
                            + "; step it there first (Control STEP or RunUntil)");
        try {
            return CompletableFuture.supplyAsync(
                    () -> rebuild(e, resets, log, step, progress, cancelled, use), executor);
        } catch (RejectedExecutionException full) {
            throw new ApiException(
                    GrpcStatus.RESOURCE_EXHAUSTED,
                    MAX_WAITING + " reconstructions are already waiting on this server;"
                            + " try again when they are done");
        }
    }

    private <T> T rebuild(
            SimulationRegistry.Entry e,
            long resets,
            List<Intervention> log,
            long step,
            Consumer<Progress> progress,
            AtomicBoolean cancelled,
            Function<At, T> use) {
        String id = e.runner().id();
        archive.recorder().flush().join(); // resets (record truncations) and the record up to now are committed
        ReconstructionCache.Lease lease = cache.borrow(id, resets, step);
        Reconstruction r;
        String source;
        if (lease != null && lease.state().step() == step) {
            r = lease.state();
            source = "cache";
        } else {
            Checkpoints.Loaded checkpoint =
                    archive.checkpoints().newestValid(id, step).orElse(null);
            if (lease != null
                    && (checkpoint == null
                            || lease.state().step() >= checkpoint.record().step())) {
                r = lease.state().copy(); // the cached one stays where it is: scrubbing back to it is free
                cache.giveBack(lease);
                lease = null;
                source = "cache";
            } else {
                if (lease != null) cache.giveBack(lease);
                lease = null;
                r = fromCheckpoint(e, checkpoint, log);
                source = "checkpoint";
                if (r == null) {
                    r = Reconstruction.fromStart(e.runner().simulation().config(), catalogue, context);
                    source = "start";
                }
            }
        }
        long from = r.step(), total = step - from;
        String origin = source;
        progress.accept(new Progress(step, from, origin, 0, total, false));
        long[] lastReport = {System.nanoTime()};
        Simulation.StepResult last;
        try {
            last = r.advance(log, step, s -> {
                if (cancelled.get())
                    throw new CancellationException("nobody waits for step " + step + " of run " + id + " any more");
                long t = System.nanoTime();
                if (t - lastReport[0] >= PROGRESS_NANOS) {
                    lastReport[0] = t;
                    progress.accept(new Progress(step, from, origin, s - from, total, false));
                }
            });
        } catch (RuntimeException ex) {
            if (lease != null) cache.discard(lease);
            throw ex;
        }
        long wallNanos = check(id, step, last);
        if (e.runner().resets() != resets) {
            if (lease != null) cache.discard(lease);
            throw new ApiException(
                    GrpcStatus.ABORTED,
                    "run " + id + " was reset while step " + step + " was being rebuilt; ask again");
        }
        try {
            T result = use.apply(new At(r, log.subList(0, r.logPosition()), wallNanos));
            progress.accept(new Progress(step, from, source, total, total, true));
            return result;
        } finally {
            if (lease != null) cache.giveBack(lease);
            else cache.put(id, resets, r);
        }
    }

    /** The state a checkpoint holds; null when there is none or it does not fit. */
    private Reconstruction fromCheckpoint(
            SimulationRegistry.Entry e, Checkpoints.Loaded checkpoint, List<Intervention> log) {
        var config = e.runner().simulation().config();
        if (checkpoint != null && checkpoint.record().logLength() <= log.size()) {
            try {
                return Reconstruction.fromCheckpoint(
                        config, catalogue, context, checkpoint.record().logLength(), checkpoint.state());
            } catch (IllegalArgumentException ex) {
                LOG.atWarn()
                        .addKeyValue("run", e.runner().id())
                        .addKeyValue("checkpoint_step", checkpoint.record().step())
                        .log("the checkpoint does not restore ({}); rebuilding from step 0", ex.getMessage());
            }
        }
        return null;
    }

    /**
     * Compares the loss of the last replayed step with the recorded one (when both exist) and
     * returns the recorded wall time of {@code step} (0: none).
     */
    private long check(String id, long step, Simulation.StepResult last) {
        List<SeriesData> loss = archive.store().history(id, Set.of("loss"), Set.of(), step, step, 0);
        if (loss.isEmpty() || loss.get(0).size() == 0) return 0;
        SeriesData l = loss.get(0);
        double recorded = l.values()[l.size() - 1];
        if (last != null && Double.compare(last.loss(), recorded) != 0) {
            throw new ApiException(
                    GrpcStatus.DATA_LOSS,
                    "the state rebuilt at step " + step + " of run " + id + " does not match its record" + " (loss "
                            + last.loss() + ", recorded " + recorded + "); its checkpoints or log may be damaged");
        }
        return l.wallNanos()[l.size() - 1];
    }

    /** Forgets a deleted run's reconstructions. */
    void forget(String id) {
        cache.forget(id);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
