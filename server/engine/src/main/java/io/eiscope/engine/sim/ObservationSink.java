package io.eiscope.engine.sim;

import io.eiscope.engine.observe.Observation;

/**
 * Receives the observations of one simulation. Called on the simulation's thread; an
 * implementation must hand the observation off quickly and never block.
 */
@FunctionalInterface
public interface ObservationSink {
    void publish(Observation observation);

    /** Entry {@code position} was just appended to the intervention log (before its event is published). */
    default void intervention(int position, Intervention entry) {}

    /** The run went back to step 0 (before the state event that says so is published). */
    default void reset() {}
}
