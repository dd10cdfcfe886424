package io.eiscope.engine.sim;

/**
 * A standing request for a per-parameter observable (weights, histograms): measure
 * {@code observable} of {@code selector} (empty: every target; a layer name also selects the
 * layer's parameters unless {@code exact}) at most every {@code minIntervalNanos} and only on
 * steps divisible by {@code everySteps} (0 or 1: any).
 */
public record Demand(String observable, String selector, long minIntervalNanos, int everySteps, boolean exact) {

    /** A demand whose layer selector also picks the layer's parameters ("layer0" -> "layer0.W"). */
    public Demand(String observable, String selector, long minIntervalNanos, int everySteps) {
        this(observable, selector, minIntervalNanos, everySteps, false);
    }
}
