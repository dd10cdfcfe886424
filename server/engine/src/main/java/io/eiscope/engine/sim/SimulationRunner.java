package io.eiscope.engine.sim;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.observe.LazinessObservables;
import io.eiscope.engine.observe.Measurements;
import io.eiscope.engine.observe.Observation;
import io.eiscope.engine.tensor.Matrix;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one {@link Simulation} as an actor on a shared executor: every command goes through a
 * mailbox and is applied at a step boundary on whichever executor thread runs the
 * simulation's current slice, one at a time, so nothing mutates the simulation concurrently.
 *
 * <p>A slice ({@link Mailbox}, at most {@link #SLICE_NANOS}) repeats: (1) apply pending
 * commands, in arrival order; (2) if running, one training step; (3) divergence check (a non-finite loss, or
 * parameters non-finite or beyond {@link Simulation#DIVERGED_MAGNITUDE}, stop the simulation as DIVERGED); (4) publish loss and accuracy, the held-out
 * evaluation when due, and the demanded per-parameter observables that are due (deferred ones,
 * such as kernel alignment, copy what they need here, compute on the analysis pool and are
 * published at a later boundary with the step of the copy); (5) stop at
 * the end of a STEP n or at the step budget. Then it yields the thread so that other
 * simulations and commands get their turn.
 *
 * <p>Steering ({@link #apply}) goes through the same mailbox: each command is validated and
 * applied at a boundary, appended to the intervention log with its effective step and
 * published as an "intervention" event; watchpoints are checked after every step and pause
 * with the reason.
 *
 * <p>Checkpoints ({@link #setCheckpointing}): every N steps or T seconds of running, when it stops
 * running, and on request, each a copy of the whole state taken at a step boundary here and
 * written elsewhere by a {@link CheckpointSink}. After a restart, {@link #recover} brings the
 * simulation back to where its record ends (checkpoint, then deterministic replay).
 *
 * <p>(About 500 lines: the run loop and every command that changes its course, kept in one
 * place; the actor mechanics live in {@link Mailbox}, measurements in {@link Measurer},
 * watchpoints in {@link Watchpoints}, checkpoint timing and capture in {@link Checkpointing},
 * replay in {@link Replay}.)
 *
 * <p>Threads: see {@link Mailbox}; exactly one thread at a time touches the simulation,
 * always at a step boundary.
 *
 * <p>Public methods are thread-safe; they return futures completed on the simulation's thread
 * with the step boundary at which the command took effect.
 */
public final class SimulationRunner {
    /** Longest a slice keeps an executor thread before yielding it. */
    public static final long SLICE_NANOS = 20_000_000L;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SimulationRunner.class);

    private final String id;
    private final Simulation sim;
    private final Mailbox mailbox;
    private final ObservationSink sink;
    private final Map<String, Double> latestScalars = new ConcurrentHashMap<>();
    private final Map<String, Double> latestLayerScalars =
            new java.util.HashMap<>(); // "observable@layer" -> value; sim thread only
    private List<Demand> watchDemands = List.of(); // what the per-layer watchpoints need measured; sim thread only
    private final Measurer measurer; // sim thread only
    private volatile List<Demand> demands = List.of();
    /** State and status message, written together so that a reader never pairs one with the other's past. */
    private volatile Status status = new Status(SimulationState.PAUSED, "");

    private volatile long step;
    private final AtomicLong resets = new AtomicLong();
    private final AtomicLong trained = new AtomicLong(); // training steps this runner took (not replays)
    private long remainingSteps = -1; // sim thread only; -1: until paused
    private long untilStep = -1; // sim thread only; -1: no RunUntil
    private final List<Intervention> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Watchpoints watchpoints = new Watchpoints(); // sim thread only
    private final Checkpointing checkpoints = new Checkpointing(); // sim thread only, but for configure
    private volatile Admission admission = new Admission(0); // no bound unless the server sets one
    private final Admission.Member member = this::admittedFromQueue; // one instance: the admission compares by identity
    private String queuedMessage = ""; // sim thread only: what it will say when it starts, e.g. "stepping 5"
    private long queuedSinceNanos; // sim thread only

    public SimulationRunner(String id, Simulation sim, Executor executor, ObservationSink sink) {
        this(id, sim, executor, sink, List.of());
    }

    /**
     * A runner for {@code sim} as it stands (a fork starts at its parent's step), with the
     * intervention log that led there.
     */
    public SimulationRunner(
            String id, Simulation sim, Executor executor, ObservationSink sink, List<Intervention> log) {
        this(id, sim, executor, null, sink, log);
    }

    /**
     * @param control where commands are applied at once when the simulation is waiting for its
     *                turn on {@code executor} (many simulations on few threads), so that control
     *                latency does not grow with the number of simulations; null: commands wait
     *                for the simulation's next slice
     */
    public SimulationRunner(
            String id,
            Simulation sim,
            Executor executor,
            Executor control,
            ObservationSink sink,
            List<Intervention> log) {
        this(id, sim, executor, control, SharedAnalysis.POOL, sink, log);
    }

    /**
     * @param analysis where {@link io.eiscope.engine.observe.DeferredObservable}s are computed (kernel
     *                 alignment): a bounded pool shared by the simulations of a server; the other
     *                 constructors use one daemon thread shared by the JVM
     */
    public SimulationRunner(
            String id,
            Simulation sim,
            Executor executor,
            Executor control,
            Executor analysis,
            ObservationSink sink,
            List<Intervention> log) {
        this(id, sim, executor, control, analysis, sink, log, null);
    }

    /**
     * @param createdMessage the status message of the first state frame; null: "created, paused at step N"
     *                       (a run recovered after a restart says so instead)
     */
    public SimulationRunner(
            String id,
            Simulation sim,
            Executor executor,
            Executor control,
            Executor analysis,
            ObservationSink sink,
            List<Intervention> log,
            String createdMessage) {
        this.id = id;
        this.sim = sim;
        this.measurer = new Measurer(
                sim,
                o -> { // per-layer scalars are kept for the watchpoints on them
                    if (o.payload() instanceof Observation.Scalar v
                            && !o.layer().isEmpty())
                        latestLayerScalars.put(Watchpoint.key(o.observable(), o.layer()), v.value());
                    sink.publish(o);
                },
                analysis,
                action -> {
                    var unused = submit(() -> {
                                action.run();
                                return null;
                            })
                            .whenComplete((v, t) -> {
                                // A deferred measurement that fails loses that value only; the run goes on.
                                if (t != null)
                                    LOG.atWarn()
                                            .addKeyValue("run", id)
                                            .setCause(t)
                                            .log("a deferred measurement failed");
                            });
                });
        this.mailbox = new Mailbox(executor, control, SLICE_NANOS, new Mailbox.Owner() {
            @Override
            public boolean running() {
                return state() == SimulationState.RUNNING;
            }

            @Override
            public void stepOnce() {
                SimulationRunner.this.stepOnce();
            }

            @Override
            public void failed(Throwable t) {
                LOG.atWarn()
                        .addKeyValue("run", id)
                        .addKeyValue("step", step)
                        .setCause(t)
                        .log("the simulation failed");
                transition(
                        SimulationState.FAILED,
                        t instanceof OutOfMemoryError
                                ? outOfMemory(step)
                                : "internal error at step " + step + ": " + t);
            }
        });
        this.sink = sink;
        this.step = sim.step();
        this.log.addAll(log);
        // The first state frame, so that a subscriber to a new simulation learns its state at once.
        sink.publish(new Observation(
                step,
                wallNanos(),
                "state",
                "",
                new Observation.Event(
                        state(), createdMessage != null ? createdMessage : "created, paused at step " + step)));
    }

    /** What an OutOfMemoryError while training means to the user, in words. */
    static String outOfMemory(long step) {
        return "ran out of memory at step " + step + ": the server's heap ("
                + (Runtime.getRuntime().maxMemory() >> 20)
                + " MiB, shared by all runs) could not hold this run's activations, gradients or measurements. Use a smaller"
                + " model or batch, delete runs you no longer need, or start the server with a larger heap (java -Xmx...)";
    }

    /** The analysis thread of runners built without one: a daemon, so it never keeps the JVM alive. */
    private static final class SharedAnalysis {
        static final Executor POOL = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "eiscope-analysis");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Where and how often this runner takes checkpoints (see {@link CheckpointSink.Policy}); set
     * before the first command. Interval checkpoints are skipped while the previous one is
     * still being written, so a slow disk never queues copies.
     */
    public void setCheckpointing(CheckpointSink sink, CheckpointSink.Policy policy) {
        checkpoints.configure(sink, policy);
    }

    /**
     * The server's bound on runs playing at once, shared by its runners; set before the first command. Without
     * it, every run plays when told to.
     */
    public void setAdmission(Admission admission) {
        this.admission = admission;
    }

    /** 1 for the first run waiting for a slot, ...; 0 when this run is not QUEUED. Thread-safe. */
    public int queuePosition() {
        return queuePosition(status);
    }

    /** The position that goes with {@code seen}, a {@link #status()} read before. */
    public int queuePosition(Status seen) {
        return seen.state() == SimulationState.QUEUED ? admission.position(member) : 0;
    }

    /** Takes a checkpoint at the next step boundary; completes with its step once it is durable. */
    // The write's future is only known on the simulation's thread, so the command returns it and it is composed at
    // once.
    @SuppressWarnings("FutureReturnValueIgnored") // Error Prone objects to the nested type, which nothing ignores here
    public CompletableFuture<Long> checkpointNow(String reason, boolean pinned) {
        CompletableFuture<CompletableFuture<Long>> written = submit(() -> {
            long at = sim.step();
            if (!pinned && at == checkpoints.lastStep())
                return checkpoints.inFlight().thenApply(v -> at); // already taken here
            return checkpoints
                    .capture(sim, watchpoints, log.size(), reason, pinned)
                    .thenApply(v -> at);
        });
        return written.thenCompose(f -> f);
    }

    /** A checkpoint to recover from: the state and the number of log entries applied before it was taken. */
    public record RecoveryPoint(long step, int logLength, StateDict state) {}

    /** Entry of a checkpoint that holds the standing watchpoints. */
    static final String RUNNER_WATCHPOINTS = "runner/watchpoints";

    /**
     * Brings this runner's simulation (built from the run's config, at step 0) back to
     * {@code targetStep} after a restart: restores the checkpoint that {@code load} gives (null:
     * none; loaded on this runner's thread, so commands sent meanwhile wait behind the recovery), then replays the rest of the
     * intervention log with training steps in between, on this runner's thread, publishing
     * nothing. When the checkpoint does not restore, it starts again from step 0. Then compares
     * the recomputed loss of the last step with {@code recordedLoss} (NaN: not recorded) and
     * moves to {@code state} with a status message that says what was recovered, which is
     * also the future's value.
     */
    public CompletableFuture<String> recover(
            java.util.function.Supplier<RecoveryPoint> load,
            long targetStep,
            double recordedLoss,
            SimulationState state) {
        return recover(load, targetStep, recordedLoss, state, "");
    }

    /** As {@link #recover(java.util.function.Supplier, long, double, SimulationState)}, ending the message with {@code note}. */
    public CompletableFuture<String> recover(
            java.util.function.Supplier<RecoveryPoint> load,
            long targetStep,
            double recordedLoss,
            SimulationState state,
            String note) {
        return submit(() -> {
            RecoveryPoint point = load.get();
            int position = 0;
            String from = "step 0";
            if (point != null) {
                try {
                    sim.restoreStateDict(point.state());
                    watchpoints.load(point.state(), RUNNER_WATCHPOINTS);
                    position = point.logLength();
                    from = "the checkpoint at step " + point.step();
                    checkpoints.at(sim.step());
                } catch (IllegalArgumentException e) {
                    LOG.atWarn()
                            .addKeyValue("run", id)
                            .addKeyValue("checkpoint_step", point.step())
                            .log("the checkpoint does not restore ({}); replaying from step 0", e.getMessage());
                    sim.reset();
                    watchpoints.clear();
                    from = "step 0 (the checkpoint at step " + point.step() + " did not restore)";
                }
            }
            long start = sim.step();
            Simulation.StepResult last = Replay.resume(sim, watchpoints, log.subList(position, log.size()), targetStep);
            watchDemands = watchpoints.demands();
            step = sim.step();
            String check = "; nothing to recompute (the checkpoint is at the last recorded step)";
            if (last != null) {
                latestScalars.put("loss", last.loss());
                if (sim.hasAccuracy()) latestScalars.put("accuracy", last.accuracy());
                if (!Double.isNaN(recordedLoss)) {
                    check = Double.compare(last.loss(), recordedLoss) == 0
                            ? "; the recomputed loss equals the recorded one"
                            : "; WARNING: the recomputed loss " + last.loss() + " differs from the recorded "
                                    + recordedLoss;
                }
            }
            String message = "recovered after a restart at step " + step + ": restored " + from + ", replayed "
                    + (step - start) + " steps" + check + note;
            long budget = sim.config().stepBudget();
            boolean spent = budget > 0 && step >= budget && state == SimulationState.PAUSED;
            // It reached its budget, and the server stopped before it recorded so: played, it would step past it.
            if (spent) message += "; it had reached its step budget of " + budget;
            transition(spent ? SimulationState.FINISHED : state, message);
            return message;
        });
    }

    /**
     * Resets so far. Read it, then {@link #step()} and {@link #interventionLog()}, then again when
     * done: unchanged, the log held every entry up to the step read (entries are only appended,
     * and the count rises before a reset clears the log). Thread-safe.
     */
    public long resets() {
        return resets.get();
    }

    /** Training steps this runner has taken (replays not counted), for throughput metrics. Thread-safe. */
    public long trainedSteps() {
        return trained.get();
    }

    /** The commands applied so far, in order, each with the step at which it took effect. Thread-safe. */
    public List<Intervention> interventionLog() {
        return List.copyOf(log);
    }

    /**
     * Applies a steering command at the next step boundary, appends it to the log and publishes
     * it as an "intervention" event. The future fails with the validation error, and the log is
     * unchanged, when the command does not fit this simulation.
     */
    public CompletableFuture<Long> apply(Command command) {
        return submit(() -> {
            requireNotStopped();
            if (command instanceof Command.RunUntil c) runUntil(c.step());
            else if (command instanceof Command.AddWatchpoint c) {
                watchpoints.add(sim, c);
                watchDemands = watchpoints.demands();
            } else if (command instanceof Command.RemoveWatchpoint c) {
                watchpoints.remove(c.name());
                watchDemands = watchpoints.demands();
            } else sim.apply(command);
            long at = sim.step();
            Intervention entry = new Intervention(at, command);
            log.add(entry);
            sink.intervention(log.size() - 1, entry);
            sink.publish(new Observation(
                    at,
                    wallNanos(),
                    "intervention",
                    "",
                    new Observation.Event(state(), CommandDescription.of(command))));
            return at;
        });
    }

    private void runUntil(long target) {
        if (target <= sim.step())
            throw new IllegalArgumentException(
                    "command.run_until.step must be after the current step " + sim.step() + ", got " + target);
        requireRunnable();
        untilStep = target;
        remainingSteps = -1;
        startRunning("playing until step " + target);
    }

    /** Pauses with the reason when a watchpoint fires on the latest values; true if one fired. */
    private boolean checkWatchpoints() {
        var reason = watchpoints.fire(
                key -> {
                    Double v = latestScalars.get(key);
                    return v != null ? v : latestLayerScalars.get(key);
                },
                step);
        if (reason.isEmpty()) return false;
        watchDemands = watchpoints.demands();
        untilStep = -1;
        remainingSteps = -1;
        transition(SimulationState.PAUSED, reason.get());
        return true;
    }

    /**
     * Forks at the next step boundary: a new simulation in this one's exact state, with a copy
     * of the log. Runs on this simulation's thread (builds a model and reads the dataset).
     */
    public CompletableFuture<Fork> fork() {
        return submit(() -> {
            requireNotStopped();
            return new Fork(sim.fork(), sim.step(), interventionLog());
        });
    }

    /** A forked simulation, the step it was forked at and the log it inherits. */
    public record Fork(Simulation child, long step, List<Intervention> log) {}

    public String id() {
        return id;
    }

    public Simulation simulation() {
        return sim;
    }

    /** A run's state and the message that came with it, as one value. */
    public record Status(SimulationState state, String message) {}

    /** The state and its message together (reading {@link #state()} then {@link #statusMessage()} can straddle a change). */
    public Status status() {
        return status;
    }

    public SimulationState state() {
        return status.state();
    }

    public String statusMessage() {
        return status.message();
    }

    public long step() {
        return step;
    }

    /** Latest value of each scalar observable. */
    public Map<String, Double> latestScalars() {
        return Map.copyOf(latestScalars);
    }

    /** Replaces the standing demands for per-parameter observables (union over subscribers). */
    public void setDemands(List<Demand> demands) {
        this.demands = List.copyOf(demands);
    }

    /** Run until paused or the budget is reached. */
    public CompletableFuture<Long> play() {
        return submit(() -> {
            requireRunnable();
            remainingSteps = -1;
            untilStep = -1;
            startRunning("playing");
            return sim.step();
        });
    }

    /** Pause at the next step boundary. */
    public CompletableFuture<Long> pause() {
        return pause("paused");
    }

    /**
     * Pause at the next step boundary, saying {@code message} (e.g. why the server paused it); a QUEUED run leaves
     * the queue, and its message says at which position.
     */
    public CompletableFuture<Long> pause(String message) {
        return submit(() -> {
            untilStep = -1;
            if (state() == SimulationState.RUNNING) transition(SimulationState.PAUSED, message);
            else if (state() == SimulationState.QUEUED) {
                int position = admission.position(member); // 0: given a slot, about to start
                transition(
                        SimulationState.PAUSED,
                        position > 0
                                ? message + "; it left the queue at position " + position
                                        + " (playing again queues it at the end)"
                                : message + " as it was about to start after waiting in the queue");
            }
            return sim.step();
        });
    }

    /**
     * Where this run, while it plays, pauses by itself: the step of its RunUntil or STEP, or -1 (until paused, or its
     * budget). Read it on the run's own thread (a state listener).
     */
    public long pausesAt() {
        return untilStep > 0 ? untilStep : remainingSteps > 0 ? sim.step() + remainingSteps : -1;
    }

    /**
     * Plays until step {@code target} (at most its budget), or until paused when {@code target} is -1. A control, not a
     * logged command: a cluster member carries on with it a run that was playing so when its member left.
     */
    public CompletableFuture<Long> playUntil(long target) {
        return submit(() -> {
            requireRunnable();
            if (target > 0 && target <= sim.step()) return sim.step(); // already there
            remainingSteps = -1;
            untilStep = target > 0 ? target : -1;
            startRunning(target > 0 ? "playing until step " + target : "playing");
            return sim.step();
        });
    }

    /** Run exactly {@code n} more updates (fewer if the budget ends first), then pause. */
    public CompletableFuture<Long> stepBy(long n) {
        if (n < 1) throw new IllegalArgumentException("steps must be >= 1 for STEP, got " + n);
        return submit(() -> {
            requireRunnable();
            remainingSteps = n;
            startRunning("stepping " + n);
            return sim.step();
        });
    }

    /** Back to step 0 with the initial parameters and data order; paused. */
    public CompletableFuture<Long> reset() {
        return submit(() -> {
            requireNotStopped();
            resets.incrementAndGet(); // first: a reader that saw the old count and then the log notices the reset
            // afterwards
            sim.reset();
            step = 0;
            log.clear();
            watchpoints.clear();
            watchDemands = List.of();
            latestLayerScalars.clear();
            untilStep = -1;
            latestScalars.clear();
            measurer.clear();
            checkpoints.at(-1);
            sink.reset();
            transition(SimulationState.PAUSED, "reset to step 0");
            return 0L;
        });
    }

    /** Stops for good; later commands fail. */
    public CompletableFuture<Long> stop() {
        return submit(() -> {
            if (state() != SimulationState.STOPPED) transition(SimulationState.STOPPED, "deleted");
            return sim.step();
        });
    }

    /**
     * Measures the given per-layer observable now (for a new subscriber), at the next boundary,
     * for the named layers or parameters ({@code selectors}; empty: all).
     */
    public CompletableFuture<Long> measureNow(String observable, List<String> selectors) {
        return submit(() -> {
            measurer.publishNow(observable, selectors);
            return sim.step();
        });
    }

    /**
     * One-off measurements of per-layer observables at the next step boundary, for the named
     * layers or parameters ({@code selectors}; empty: all), without publishing them. Deferred ones
     * (kernel alignment) are only copied there: call the suppliers off this runner's thread.
     */
    public CompletableFuture<List<java.util.function.Supplier<Observation>>> measure(
            List<String> observables, List<String> selectors) {
        return submit(() -> Measurer.prepare(sim, observables, selectors, wallNanos()));
    }

    /** Copies of the named parameters (all when {@code names} is empty), taken at a step boundary. */
    public CompletableFuture<ParameterValues> readParameters(List<String> names) {
        return readParameters(names, false);
    }

    /** As {@link #readParameters(List)}; with {@code sinceStart}, each value minus its initial value (the change since step 0). */
    public CompletableFuture<ParameterValues> readParameters(List<String> names, boolean sinceStart) {
        return submit(() -> ParameterValues.of(sim, names, sinceStart));
    }

    /** Parameter copies taken at one step. */
    public record ParameterValues(long step, List<String> names, List<Observation.Tensor> values) {
        /**
         * Copies of the named parameters of {@code sim} (all when {@code names} is empty), in its order.
         *
         * @throws IllegalArgumentException naming an unknown parameter
         */
        static ParameterValues of(Simulation sim, List<String> names) {
            return of(sim, names, false);
        }

        /**
         * As {@link #of(Simulation, List)}, where {@code names} may also name effective matrices
         * ({@code layer0}, {@code rnn0}: {@link io.eiscope.engine.model.Model#effectiveWeight}),
         * which come after the parameters, in the order asked; with {@code sinceStart}, each value
         * minus its initial value (an effective matrix minus the one the initial parameters give).
         */
        static ParameterValues of(Simulation sim, List<String> names, boolean sinceStart) {
            Map<String, Matrix> effective = new java.util.LinkedHashMap<>();
            for (String n : names) {
                if (sim.parameter(n).isPresent() || effective.containsKey(n)) continue;
                Matrix w = sim.model().effectiveWeight(n).orElse(null);
                if (w == null)
                    throw new IllegalArgumentException("unknown parameter or effective matrix '" + n + "'; parameters: "
                            + sim.parameters().stream().map(Parameter::name).toList() + ", effective matrices: "
                            + sim.model().effectiveWeightTargets());
                effective.put(n, w);
            }
            List<Observation.Tensor> values = new ArrayList<>();
            List<String> out = new ArrayList<>();
            for (Parameter p : sim.parameters()) {
                if (names.isEmpty() || names.contains(p.name())) {
                    out.add(p.name());
                    Observation.Tensor t = Measurements.weights(p);
                    if (sinceStart) {
                        float[] initial =
                                sim.initialValue(p.name()).orElseThrow().toArray();
                        for (int k = 0; k < initial.length; k++) t.data()[k] -= initial[k];
                    }
                    values.add(t);
                }
            }
            for (var e : effective.entrySet()) {
                Matrix w = e.getValue();
                float[] data = w.toArray();
                if (sinceStart) {
                    Matrix w0 = LazinessObservables.initialMatrix(sim, e.getKey());
                    for (int k = 0; k < data.length; k++) data[k] -= w0.get(k);
                }
                out.add(e.getKey());
                values.add(new Observation.Tensor(new int[] {w.rows, w.cols}, data));
            }
            return new ParameterValues(sim.step(), out, values);
        }
    }

    private void requireNotStopped() {
        if (state() == SimulationState.STOPPED) throw new IllegalStateException("simulation " + id + " was deleted");
    }

    private void requireRunnable() {
        requireNotStopped();
        switch (state()) {
            case FAILED ->
                throw new IllegalStateException(
                        "simulation " + id + " failed (" + status.message() + "); reset it or create a new one");
            case DIVERGED ->
                throw new IllegalStateException(
                        "simulation " + id + " diverged (" + status.message() + "); reset it first");
            case FINISHED ->
                throw new IllegalStateException("simulation " + id + " reached its step budget of "
                        + sim.config().stepBudget() + "; reset it to run again");
            default -> {}
        }
    }

    private <T> CompletableFuture<T> submit(Callable<T> action) {
        return mailbox.submit(action);
    }

    private void stepOnce() {
        long budget = sim.config().stepBudget();
        if (budget > 0 && sim.step() >= budget) { // a copy of a run that had reached it (a fork): no step past it
            transition(SimulationState.FINISHED, "reached the step budget of " + budget);
            return;
        }
        Simulation.StepResult r = sim.trainStep();
        trained.incrementAndGet();
        step = r.step();
        long wall = wallNanos();
        publishScalar(wall, "loss", r.loss());
        if (sim.hasAccuracy()) publishScalar(wall, "accuracy", r.accuracy()); // regression tasks have none
        if (!Double.isNaN(r.decisionAccuracy())) publishScalar(wall, "dec_acc", r.decisionAccuracy()); // Mod-Cog
        String trouble = Double.isFinite(r.loss()) ? sim.parameterTrouble() : "non-finite loss";
        if (trouble != null) {
            transition(SimulationState.DIVERGED, trouble + " at step " + step);
            return;
        }
        int every = sim.config().evalEverySteps();
        if (every > 0 && step % every == 0) {
            Simulation.EvalResult e = sim.evaluate();
            publishScalar(wallNanos(), "test_loss", e.loss());
            if (sim.hasAccuracy()) publishScalar(wallNanos(), "test_accuracy", e.accuracy());
            if (!Double.isNaN(e.decisionAccuracy())) publishScalar(wallNanos(), "test_dec_acc", e.decisionAccuracy());
        }
        measurer.publishDue(demands);
        measurer.publishDue(watchDemands);
        if (checkpoints.due(sim.step())) captureInBackground("interval");
        if (checkWatchpoints()) return;
        if (budget > 0 && step >= budget) {
            transition(SimulationState.FINISHED, "reached the step budget of " + budget);
        } else if (untilStep > 0 && step >= untilStep) {
            untilStep = -1;
            transition(SimulationState.PAUSED, "reached step " + step + " (run until)");
        } else if (remainingSteps > 0 && --remainingSteps == 0) {
            remainingSteps = -1;
            transition(SimulationState.PAUSED, "paused after stepping");
        }
    }

    private void publishScalar(long wall, String name, double value) {
        latestScalars.put(name, value);
        sink.publish(new Observation(step, wall, name, "", new Observation.Scalar(value)));
    }

    private void transition(SimulationState next, String message) {
        boolean stopsRunning = state() == SimulationState.RUNNING
                && next != SimulationState.RUNNING
                && next != SimulationState.STOPPED;
        boolean leavesSlotOrQueue = underWay() && next != SimulationState.RUNNING && next != SimulationState.QUEUED;
        status = new Status(next, message);
        if (leavesSlotOrQueue) admission.leave(member); // the first queued run gets the slot
        sink.publish(new Observation(step, wallNanos(), "state", "", new Observation.Event(next, message)));
        // After the state frame, so that watchers learn of the pause without waiting for the copy.
        if (stopsRunning && sim.step() != checkpoints.lastStep() && checkpoints.enabled()) captureInBackground("pause");
    }

    /** RUNNING or QUEUED: told to run, whether it has its slot yet or not. */
    private boolean underWay() {
        return state() == SimulationState.RUNNING || state() == SimulationState.QUEUED;
    }

    /**
     * Starts running with {@code message} if the server has a slot for this run (see {@link Admission}), else
     * waits QUEUED with its position, and says {@code message} once it starts. Already under way, it keeps its
     * slot or its place in the queue.
     */
    private void startRunning(String message) {
        if (state() == SimulationState.RUNNING) return;
        if (state() == SimulationState.QUEUED) {
            queuedMessage = message;
            return;
        }
        if (admission.enter(member)) {
            transition(SimulationState.RUNNING, message);
            return;
        }
        queuedMessage = message;
        queuedSinceNanos = System.nanoTime();
        transition(
                SimulationState.QUEUED,
                "queued at position " + admission.position(member) + ": the server plays at most "
                        + admission.slots() + " runs at a time (--workers); it starts when a playing run pauses or"
                        + " ends");
    }

    /**
     * Called by the admission, on the thread of the run that freed a slot: starts at this run's next boundary,
     * unless it left the queue meanwhile (then the slot it was given is passed on) or was queued again since.
     */
    private void admittedFromQueue() {
        var unused = submit(() -> {
            if (state() == SimulationState.QUEUED && admission.holdsSlot(member)) {
                double waited = (System.nanoTime() - queuedSinceNanos) / 1e9;
                transition(
                        SimulationState.RUNNING,
                        queuedMessage + String.format(java.util.Locale.ROOT, " (after %.1f s in the queue)", waited));
            }
            return null;
        });
    }

    /**
     * Hands a checkpoint to the sink without waiting for it: the sink reports its own write failures (the store logs
     * them), and the next checkpoint is due as if this one had been taken, so nothing here can act on the outcome.
     */
    private void captureInBackground(String reason) {
        var unused = checkpoints.capture(sim, watchpoints, log.size(), reason, false);
    }

    private static long wallNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
