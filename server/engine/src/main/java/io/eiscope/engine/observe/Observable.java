package io.eiscope.engine.observe;

import io.eiscope.engine.sim.Simulation;
import java.util.List;

/**
 * A measured observable: a catalogue entry plus how to measure it on a simulation. It reads,
 * never writes. Called on the simulation's thread, at step boundaries, when subscribers ask
 * for it (at most at their cadence).
 */
public interface Observable {
    ObservableDescriptor descriptor();

    default String name() {
        return descriptor().name();
    }

    /** What it is measured on: layer or parameter names of {@code sim}. */
    List<String> targets(Simulation sim);

    /** The value on {@code target}, or null when it does not apply there. */
    Observation.Payload measure(Simulation sim, String target);
}
