package io.eiscope.engine.sim;

import io.eiscope.engine.observe.Observation;

/**
 * Receives the observations of one simulation. Called on the simulation's thread; an
 * implementation must hand the observation off quickly and never block.
 */
@FunctionalInterface
public interface ObservationSink {
    void publish(Observation observation);
}
