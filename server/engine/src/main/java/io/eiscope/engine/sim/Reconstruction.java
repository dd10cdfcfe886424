package io.eiscope.engine.sim;

import io.eiscope.engine.observe.Observation;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A run's state at a past step, rebuilt away from the run's own thread: a checkpoint (or the
 * spec, at step 0) restored into a new simulation, then the rest of the run's intervention log
 * replayed with training steps in between. A run is deterministic given its spec, seed and log,
 * so the result is bit-identical to what the run held at that step. It carries the standing
 * watchpoints too, so that a checkpoint written from it is one the run could have taken.
 *
 * <p>Not thread-safe: one thread at a time owns it (blocking work: it builds a model, reads
 * the dataset and trains).
 */
public final class Reconstruction {
    private final Simulation sim;
    private final Watchpoints watchpoints;
    private int logPosition; // entries of the run's log applied so far

    private Reconstruction(Simulation sim, Watchpoints watchpoints, int logPosition) {
        this.sim = sim;
        this.watchpoints = watchpoints;
        this.logPosition = logPosition;
    }

    /** The run at step 0, built from its spec, before any entry of its log. */
    public static Reconstruction fromStart(SimulationConfig config, Catalogue catalogue, EngineContext context) {
        return new Reconstruction(new Simulation(config, catalogue, context), new Watchpoints(), 0);
    }

    /**
     * The run as a checkpoint holds it: {@code state} (as a runner captured it) restored into a
     * simulation built from the run's spec, with {@code logLength} entries of its log applied.
     *
     * @throws IllegalArgumentException when the checkpoint does not fit the spec
     */
    public static Reconstruction fromCheckpoint(
            SimulationConfig config, Catalogue catalogue, EngineContext context, int logLength, StateDict state) {
        Simulation sim = new Simulation(config, catalogue, context);
        sim.restoreStateDict(state);
        Watchpoints w = new Watchpoints();
        w.load(state, SimulationRunner.RUNNER_WATCHPOINTS);
        return new Reconstruction(sim, w, logLength);
    }

    public long step() {
        return sim.step();
    }

    /** Entries of the run's log applied so far. */
    public int logPosition() {
        return logPosition;
    }

    /**
     * Trains on to {@code untilStep}, applying the entries of {@code log} (the run's whole log,
     * in order) from {@link #logPosition()} on that took effect at or before it, each at its
     * step. {@code afterStep} hears of every step trained and may throw to stop (the
     * reconstruction is then at some step in between and must not be used further). Returns the
     * result of the last training step (null when none was needed).
     *
     * @throws IllegalArgumentException when {@code untilStep} is behind this state
     * @throws IllegalStateException    when the log does not fit this state (an entry before its step)
     */
    public Simulation.StepResult advance(List<Intervention> log, long untilStep, LongConsumer afterStep) {
        if (untilStep < sim.step())
            throw new IllegalArgumentException(
                    "step " + untilStep + " is behind this reconstruction's step " + sim.step());
        if (logPosition > log.size())
            throw new IllegalStateException(
                    "the state has " + logPosition + " log entries applied; the log has " + log.size());
        int end = logPosition;
        while (end < log.size() && log.get(end).step() <= untilStep) end++;
        Simulation.StepResult last =
                Replay.resume(sim, watchpoints, log.subList(logPosition, end), untilStep, afterStep);
        logPosition = end;
        return last;
    }

    /** An independent copy at the same step (blocking: builds a model). */
    public Reconstruction copy() {
        Watchpoints w = new Watchpoints();
        StateDict d = new StateDict();
        watchpoints.save(d, SimulationRunner.RUNNER_WATCHPOINTS);
        w.load(d, SimulationRunner.RUNNER_WATCHPOINTS);
        return new Reconstruction(sim.fork(), w, logPosition);
    }

    /** A new simulation in exactly this state (a fork from the past), owned by the caller. */
    public Simulation forkSimulation() {
        return sim.fork();
    }

    /** The whole state as a runner's checkpoint holds it (simulation and watchpoints). */
    public StateDict checkpointState() {
        StateDict d = sim.stateDict();
        watchpoints.save(d, SimulationRunner.RUNNER_WATCHPOINTS);
        return d;
    }

    /** Bytes held by the state (parameters, initial values, optimiser buffers, masks): what a cache counts. */
    public long stateBytes() {
        long n = 0;
        for (StateDict.Array a : sim.stateDict().arrays())
            n += java.lang.reflect.Array.getLength(a.data()) * (long) elementBytes(a.data());
        return n;
    }

    private static int elementBytes(Object data) {
        if (data instanceof float[] || data instanceof int[]) return 4;
        if (data instanceof double[] || data instanceof long[]) return 8;
        return 1;
    }

    /**
     * Copies of the named parameters (all when {@code names} is empty), in the simulation's order.
     *
     * @throws IllegalArgumentException naming an unknown parameter
     */
    public SimulationRunner.ParameterValues parameters(List<String> names) {
        return parameters(names, false);
    }

    /** As {@link #parameters(List)}; with {@code sinceStart}, each value minus its initial value. */
    public SimulationRunner.ParameterValues parameters(List<String> names, boolean sinceStart) {
        return SimulationRunner.ParameterValues.of(sim, names, sinceStart);
    }

    /**
     * Measures each of {@code observables} (measured, per-layer observables of the catalogue) on
     * the targets that {@code selectors} pick (a layer name picks the layer and its parameters;
     * empty: all), as a runner would publish them at this step, stamped {@code wallNanos}.
     *
     * @throws IllegalArgumentException naming an observable that is not measured per layer
     */
    public List<Observation> measure(List<String> observables, List<String> selectors, long wallNanos) {
        List<Observation> out = new ArrayList<>();
        for (var m : Measurer.prepare(sim, observables, selectors, wallNanos)) {
            Observation o = m.get();
            if (o != null) out.add(o);
        }
        return out;
    }
}
