package io.eiscope.engine.observe;

/**
 * One measured value of an observable at a step.
 *
 * @param layer parameter or layer name; empty for network-wide observables
 */
public record Observation(long step, long wallTimeUnixNanos, String observable, String layer, Payload payload) {

    /** The measured value. Arrays are owned by the observation and never modified after creation. */
    public sealed interface Payload permits Scalar, Tensor, Histogram, Event {}

    public record Scalar(double value) implements Payload {}

    /** Row-major float32 values of the given shape. */
    public record Tensor(int[] shape, float[] data) implements Payload {}

    /** Ascending edges (counts.length + 1 of them). */
    public record Histogram(double[] edges, long[] counts) implements Payload {}

    public record Event(io.eiscope.engine.sim.SimulationState state, String message) implements Payload {}
}
