package io.eiscope.engine.sim;

/** Lifecycle of a simulation; see design.md, "Simulation semantics". */
public enum SimulationState {
    PAUSED,
    RUNNING,
    FINISHED,
    DIVERGED,
    FAILED,
    STOPPED
}
