package io.eiscope.engine.sim;

/** Lifecycle of a simulation; see design.md, "Simulation semantics". */
public enum SimulationState {
    PAUSED,
    RUNNING,
    FINISHED,
    DIVERGED,
    FAILED,
    STOPPED,
    /** Told to run while the server plays as many runs as it may: waiting for a slot ({@link Admission}). */
    QUEUED
}
