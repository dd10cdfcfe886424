package io.eiscope.engine.sim;

/**
 * A condition on a scalar observable, network-wide ({@code target} empty) or measured on one
 * layer or parameter ({@code target}, e.g. the spectral radius of {@code rnn0}, measured every
 * {@code everySteps} steps while the watchpoint stands); when it holds after a step, the runner
 * pauses the simulation, says why, and drops the watchpoint (one-shot, so that play continues).
 * Immutable.
 */
public record Watchpoint(
        String name, String observable, String target, int everySteps, Condition condition, double threshold) {

    /** A watchpoint on a network-wide scalar. */
    public Watchpoint(String name, String observable, Condition condition, double threshold) {
        this(name, observable, "", 0, condition, threshold);
    }

    /** The key of its value among the latest scalars: the observable, or {@code observable@target}. */
    public String key() {
        return key(observable, target);
    }

    static String key(String observable, String target) {
        return target.isEmpty() ? observable : observable + '@' + target;
    }

    public enum Condition {
        /** The value is NaN or infinite. */
        NON_FINITE,
        /** The value is {@code >= threshold} (e.g. "accuracy reached 0.8"). */
        ABOVE,
        /** The value is {@code <= threshold}. */
        BELOW
    }

    /** True when the condition holds for {@code value}. */
    public boolean firesOn(double value) {
        return switch (condition) {
            case NON_FINITE -> !Double.isFinite(value);
            case ABOVE -> value >= threshold;
            case BELOW -> value <= threshold;
        };
    }

    /** Why the simulation paused, for the state event. */
    public String reason(double value, long step) {
        String what = switch (condition) {
            case NON_FINITE -> "is not finite";
            case ABOVE -> "reached " + threshold + " or more";
            case BELOW -> "fell to " + threshold + " or less";
        };
        return "watchpoint '" + name + "': " + observable + (target.isEmpty() ? "" : " of " + target) + " " + what
                + " (" + value + ") at step " + step;
    }
}
