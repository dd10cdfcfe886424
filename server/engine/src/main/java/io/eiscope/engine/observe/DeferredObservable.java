package io.eiscope.engine.observe;

import io.eiscope.engine.sim.Simulation;
import java.util.function.Supplier;

/**
 * An observable too expensive for the simulation's thread (the tangent-kernel alignment). On that
 * thread, at a step boundary, {@link #prepare} only copies what the computation needs (parameter
 * values: a memcpy); the computation then runs on an analysis pool, and its result is published
 * with the step at which the copy was taken. The runner keeps at most one computation in flight
 * per simulation, observable and target, and skips a due measurement while one is running.
 */
public interface DeferredObservable extends Observable {

    /**
     * Called on the simulation's thread: copies what the computation needs and returns it, or null
     * when the observable does not apply to {@code target}. The computation may run on any thread,
     * reads only its copies and what it owns, and returns the payload (null: nothing to publish).
     */
    Supplier<Observation.Payload> prepare(Simulation sim, String target);

    /** Prepares and computes at once, on the caller's thread (for tests and tools). */
    @Override
    default Observation.Payload measure(Simulation sim, String target) {
        Supplier<Observation.Payload> computation = prepare(sim, target);
        return computation == null ? null : computation.get();
    }
}
