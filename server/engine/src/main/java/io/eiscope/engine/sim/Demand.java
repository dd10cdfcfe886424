package io.eiscope.engine.sim;

/**
 * A standing request for a per-parameter observable (weights, histograms): measure
 * {@code observable} of {@code parameter} (empty: every parameter) at most every
 * {@code minIntervalNanos} and only on steps divisible by {@code everySteps} (0 or 1: any).
 */
public record Demand(String observable, String selector, long minIntervalNanos, int everySteps) {}
