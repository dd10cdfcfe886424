package io.eiscope.engine.sim;

import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.List;

/**
 * Rebuilds a run from its spec, seed and intervention log: each command is applied at the
 * step boundary where it took effect, with training steps in between. Pauses, subscribers
 * and machine load leave no trace in the log, so the result is bit-identical to the original.
 */
public final class Replay {
    private Replay() {}

    /**
     * A new simulation at step {@code untilStep} (blocking; the caller's thread owns it).
     *
     * @param log in order of effective step, as a runner records it
     * @throws IllegalArgumentException if the log is out of order or goes past {@code untilStep}
     */
    public static Simulation run(
            SimulationConfig config,
            Catalogue catalogue,
            EngineContext context,
            List<Intervention> log,
            long untilStep) {
        Simulation sim = new Simulation(config, catalogue, context);
        for (Intervention i : log) {
            if (i.step() < sim.step() || i.step() > untilStep)
                throw new IllegalArgumentException(
                        "log entry at step " + i.step() + " is out of order or past step " + untilStep);
            while (sim.step() < i.step()) sim.trainStep();
            sim.apply(i.command());
        }
        while (sim.step() < untilStep) sim.trainStep();
        return sim;
    }

    /**
     * Continues {@code sim} (at the step where {@code log} starts to apply) to {@code untilStep}:
     * each command at its step, training steps in between; watchpoint commands go to
     * {@code watchpoints}, run-until commands only steered the runner. The caller's thread owns
     * {@code sim}. Returns the result of the last training step (null when none was needed).
     */
    static Simulation.StepResult resume(
            Simulation sim, Watchpoints watchpoints, List<Intervention> log, long untilStep) {
        return resume(sim, watchpoints, log, untilStep, step -> {});
    }

    /** As {@link #resume(Simulation, Watchpoints, List, long)}, telling {@code afterStep} each step trained (it may throw to stop). */
    static Simulation.StepResult resume(
            Simulation sim,
            Watchpoints watchpoints,
            List<Intervention> log,
            long untilStep,
            java.util.function.LongConsumer afterStep) {
        Simulation.StepResult last = null;
        for (Intervention i : log) {
            if (i.step() > untilStep) break;
            if (i.step() < sim.step())
                throw new IllegalStateException(
                        "log entry at step " + i.step() + " precedes the state at step " + sim.step());
            while (sim.step() < i.step()) {
                last = sim.trainStep();
                afterStep.accept(sim.step());
            }
            Command c = i.command();
            if (c instanceof Command.AddWatchpoint w) watchpoints.add(sim, w);
            else if (c instanceof Command.RemoveWatchpoint w) watchpoints.remove(w.name());
            else if (!(c instanceof Command.RunUntil)) sim.apply(c);
        }
        while (sim.step() < untilStep) {
            last = sim.trainStep();
            afterStep.accept(sim.step());
        }
        return last;
    }
}
