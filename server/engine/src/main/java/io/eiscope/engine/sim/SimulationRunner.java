package io.eiscope.engine.sim;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.observe.Measurements;
import io.eiscope.engine.observe.Observation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one {@link Simulation} as an actor on a shared executor: every command goes through a
 * mailbox and is applied at a step boundary on whichever executor thread runs the
 * simulation's current slice, one at a time, so nothing mutates the simulation concurrently.
 *
 * <p>A slice (at most {@link #SLICE_NANOS}) repeats: (1) apply pending commands, in arrival
 * order; (2) if running, one training step; (3) divergence check (non-finite loss or
 * parameters pause the simulation as DIVERGED); (4) publish loss and accuracy, the held-out
 * evaluation when due, and the demanded per-parameter observables that are due; (5) stop at
 * the end of a STEP n or at the step budget. Then it yields the thread so that other
 * simulations and commands get their turn.
 *
 * <p>Steering ({@link #apply}) goes through the same mailbox: each command is validated and
 * applied at a boundary, appended to the intervention log with its effective step and
 * published as an "intervention" event; watchpoints are checked after every step and pause
 * with the reason. (Over 300 lines: the run loop and the commands that change its course
 * belong together.)
 *
 * <p>Threads: a slice runs on the shared executor; with a control executor, commands that
 * arrive while the simulation waits for its turn are applied at once on a control thread.
 * Either holds the runner's lock, so exactly one thread at a time touches the simulation,
 * always at a step boundary.
 *
 * <p>Public methods are thread-safe; they return futures completed on the simulation's thread
 * with the step boundary at which the command took effect.
 */
public final class SimulationRunner {
    /** Longest a slice keeps an executor thread before yielding it. */
    public static final long SLICE_NANOS = 20_000_000L;
    private static final Logger LOG = Logger.getLogger(SimulationRunner.class.getName());

    private final String id;
    private final Simulation sim;
    private final Executor executor;
    private final Executor control; // null: commands wait for the simulation's turn on the executor
    private final java.util.concurrent.locks.ReentrantLock turn = new java.util.concurrent.locks.ReentrantLock(); // held while touching sim
    private final ObservationSink sink;
    private final Queue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Map<String, Double> latestScalars = new ConcurrentHashMap<>();
    private final Map<String, long[]> lastEmitted = new HashMap<>(); // key -> {nanos, step}; sim thread only
    private volatile List<Demand> demands = List.of();
    private volatile SimulationState state = SimulationState.PAUSED;
    private volatile String statusMessage = "";
    private volatile long step;
    private long remainingSteps = -1; // sim thread only; -1: until paused
    private long untilStep = -1; // sim thread only; -1: no RunUntil
    private final List<Intervention> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Watchpoints watchpoints = new Watchpoints(); // sim thread only

    public SimulationRunner(String id, Simulation sim, Executor executor, ObservationSink sink) {
        this(id, sim, executor, sink, List.of());
    }

    /**
     * A runner for {@code sim} as it stands (a fork starts at its parent's step), with the
     * intervention log that led there.
     */
    public SimulationRunner(String id, Simulation sim, Executor executor, ObservationSink sink, List<Intervention> log) {
        this(id, sim, executor, null, sink, log);
    }

    /**
     * @param control where commands are applied at once when the simulation is waiting for its
     *                turn on {@code executor} (many simulations on few threads), so that control
     *                latency does not grow with the number of simulations; null: commands wait
     *                for the simulation's next slice
     */
    public SimulationRunner(String id, Simulation sim, Executor executor, Executor control, ObservationSink sink,
                            List<Intervention> log) {
        this.id = id;
        this.sim = sim;
        this.executor = executor;
        this.control = control;
        this.sink = sink;
        this.step = sim.step();
        this.log.addAll(log);
        // The first state frame, so that a subscriber to a new simulation learns its state at once.
        sink.publish(new Observation(step, wallNanos(), "state", "", new Observation.Event(state, "created, paused at step " + step)));
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
            else if (command instanceof Command.AddWatchpoint c) watchpoints.add(sim.catalogue(), c);
            else if (command instanceof Command.RemoveWatchpoint c) watchpoints.remove(c.name());
            else sim.apply(command);
            long at = sim.step();
            log.add(new Intervention(at, command));
            sink.publish(new Observation(at, wallNanos(), "intervention", "", new Observation.Event(state, command.toString())));
            return at;
        });
    }

    private void runUntil(long target) {
        if (target <= sim.step())
            throw new IllegalArgumentException("command.run_until.step must be after the current step " + sim.step() + ", got " + target);
        requireRunnable();
        untilStep = target;
        remainingSteps = -1;
        if (state != SimulationState.RUNNING) transition(SimulationState.RUNNING, "playing until step " + target);
    }

    /** Pauses with the reason when a watchpoint fires on the latest values; true if one fired. */
    private boolean checkWatchpoints() {
        var reason = watchpoints.fire(latestScalars, step);
        if (reason.isEmpty()) return false;
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

    public SimulationState state() {
        return state;
    }

    public String statusMessage() {
        return statusMessage;
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
            if (state != SimulationState.RUNNING) {
                requireRunnable();
                remainingSteps = -1;
                transition(SimulationState.RUNNING, "playing");
            } else {
                remainingSteps = -1;
            }
            untilStep = -1;
            return sim.step();
        });
    }

    /** Pause at the next step boundary. */
    public CompletableFuture<Long> pause() {
        return submit(() -> {
            untilStep = -1;
            if (state == SimulationState.RUNNING) transition(SimulationState.PAUSED, "paused");
            return sim.step();
        });
    }

    /** Run exactly {@code n} more updates (fewer if the budget ends first), then pause. */
    public CompletableFuture<Long> stepBy(long n) {
        if (n < 1) throw new IllegalArgumentException("steps must be >= 1 for STEP, got " + n);
        return submit(() -> {
            requireRunnable();
            remainingSteps = n;
            if (state != SimulationState.RUNNING) transition(SimulationState.RUNNING, "stepping " + n);
            return sim.step();
        });
    }

    /** Back to step 0 with the initial parameters and data order; paused. */
    public CompletableFuture<Long> reset() {
        return submit(() -> {
            requireNotStopped();
            sim.reset();
            step = 0;
            log.clear();
            watchpoints.clear();
            untilStep = -1;
            latestScalars.clear();
            lastEmitted.clear();
            transition(SimulationState.PAUSED, "reset to step 0");
            return 0L;
        });
    }

    /** Stops for good; later commands fail. */
    public CompletableFuture<Long> stop() {
        return submit(() -> {
            if (state != SimulationState.STOPPED) transition(SimulationState.STOPPED, "deleted");
            return sim.step();
        });
    }

    /**
     * Measures the given per-layer observable now (for a new subscriber), at the next boundary,
     * for the named layers or parameters ({@code selectors}; empty: all).
     */
    public CompletableFuture<Long> measureNow(String observable, List<String> selectors) {
        return submit(() -> {
            for (String target : targets(observable)) {
                if (selectors.isEmpty() || selectors.stream().anyMatch(sel -> selects(sel, target))) publishMeasurement(observable, target);
            }
            return sim.step();
        });
    }

    /** Copies of the named parameters (all when {@code names} is empty), taken at a step boundary. */
    public CompletableFuture<ParameterValues> readParameters(List<String> names) {
        return submit(() -> {
            for (String n : names) {
                if (sim.parameter(n).isEmpty())
                    throw new IllegalArgumentException("unknown parameter '" + n + "'; known: "
                            + sim.parameters().stream().map(Parameter::name).toList());
            }
            List<Observation.Tensor> values = new ArrayList<>();
            List<String> out = new ArrayList<>();
            for (Parameter p : sim.parameters()) {
                if (names.isEmpty() || names.contains(p.name())) {
                    out.add(p.name());
                    values.add(Measurements.weights(p));
                }
            }
            return new ParameterValues(sim.step(), out, values);
        });
    }

    /** Parameter copies taken at one step. */
    public record ParameterValues(long step, List<String> names, List<Observation.Tensor> values) {}

    private void requireNotStopped() {
        if (state == SimulationState.STOPPED) throw new IllegalStateException("simulation " + id + " was deleted");
    }

    private void requireRunnable() {
        requireNotStopped();
        switch (state) {
            case FAILED -> throw new IllegalStateException("simulation " + id + " failed (" + statusMessage + "); reset it or create a new one");
            case DIVERGED -> throw new IllegalStateException("simulation " + id + " diverged (" + statusMessage + "); reset it first");
            case FINISHED -> throw new IllegalStateException("simulation " + id + " reached its step budget of "
                    + sim.config().stepBudget() + "; reset it to run again");
            default -> { }
        }
    }

    private <T> CompletableFuture<T> submit(Callable<T> action) {
        CompletableFuture<T> done = new CompletableFuture<>();
        mailbox.add(() -> {
            try {
                done.complete(action.call());
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        schedule();
        if (control != null) {
            try {
                control.execute(this::runCommands);
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                // the slice drains the mailbox
            }
        }
        return done;
    }

    private void schedule() {
        if (!scheduled.compareAndSet(false, true)) return;
        try {
            executor.execute(this::runSlice);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            scheduled.set(false); // the server is shutting down: nothing will run any more
        }
    }

    /**
     * Applies pending commands now if the simulation is between slices; if a slice holds the
     * turn, it applies them at its next step boundary instead.
     */
    private void runCommands() {
        if (!turn.tryLock()) return;
        try {
            Runnable command;
            while ((command = mailbox.poll()) != null) command.run(); // each completes its own future
        } finally {
            turn.unlock();
        }
        if (state == SimulationState.RUNNING) schedule();
    }

    private void runSlice() {
        turn.lock(); // at most one thread touches the simulation; a control thread holds it briefly
        long deadline = System.nanoTime() + SLICE_NANOS;
        try {
            do {
                Runnable command;
                while ((command = mailbox.poll()) != null) command.run();
                if (state != SimulationState.RUNNING) break;
                stepOnce();
            } while (System.nanoTime() < deadline);
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "simulation " + id + " failed at step " + step, t);
            transition(SimulationState.FAILED, "internal error at step " + step + ": " + t);
        } finally {
            turn.unlock();
            scheduled.set(false);
            if ((state == SimulationState.RUNNING || !mailbox.isEmpty())) schedule();
        }
    }

    private void stepOnce() {
        Simulation.StepResult r = sim.trainStep();
        step = r.step();
        long wall = wallNanos();
        publishScalar(wall, "loss", r.loss());
        publishScalar(wall, "accuracy", r.accuracy());
        if (!Double.isFinite(r.loss()) || !sim.parametersFinite()) {
            transition(SimulationState.DIVERGED, "non-finite " + (Double.isFinite(r.loss()) ? "parameters" : "loss") + " at step " + step);
            return;
        }
        int every = sim.config().evalEverySteps();
        if (every > 0 && step % every == 0) {
            Simulation.EvalResult e = sim.evaluate();
            publishScalar(wallNanos(), "test_loss", e.loss());
            publishScalar(wallNanos(), "test_accuracy", e.accuracy());
        }
        publishDueDemands();
        long budget = sim.config().stepBudget();
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

    private void publishDueDemands() {
        List<Demand> current = demands;
        if (current.isEmpty()) return;
        long now = System.nanoTime();
        for (Demand d : current) {
            if (d.everySteps() > 1 && step % d.everySteps() != 0) continue;
            for (String target : targets(d.observable())) {
                if (!selects(d.selector(), target)) continue;
                long[] last = lastEmitted.get(d.observable() + '/' + target);
                if (last != null && (last[1] == step || now - last[0] < d.minIntervalNanos())) continue;
                publishMeasurement(d.observable(), target);
            }
        }
    }

    /** A selector picks a layer or parameter by name; a layer name also picks its parameters ("layer0" -> "layer0.W"). */
    private static boolean selects(String selector, String name) {
        return selector.isEmpty() || name.equals(selector) || name.startsWith(selector + '.');
    }

    /** What a measured observable is measured on (layers or parameters); nothing for unknown names. */
    private List<String> targets(String observable) {
        return sim.catalogue().measured(observable).map(o -> o.targets(sim)).orElse(List.of());
    }

    private void publishMeasurement(String observable, String target) {
        Observation.Payload payload = sim.catalogue().measured(observable).map(o -> o.measure(sim, target)).orElse(null);
        if (payload == null) return;
        lastEmitted.put(observable + '/' + target, new long[] {System.nanoTime(), step});
        sink.publish(new Observation(step, wallNanos(), observable, target, payload));
    }

    private void publishScalar(long wall, String name, double value) {
        latestScalars.put(name, value);
        sink.publish(new Observation(step, wall, name, "", new Observation.Scalar(value)));
    }

    private void transition(SimulationState next, String message) {
        state = next;
        statusMessage = message;
        sink.publish(new Observation(step, wallNanos(), "state", "", new Observation.Event(next, message)));
    }

    private static long wallNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
