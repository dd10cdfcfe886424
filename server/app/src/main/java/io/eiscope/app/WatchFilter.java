package io.eiscope.app;

import io.eiscope.api.v1.Frame;
import java.util.List;
import java.util.Set;

/**
 * What one subscriber asked for: observables, layers (empty: all), a step cadence and a rate
 * limit for latest-wins observables. Immutable.
 */
record WatchFilter(Set<String> observables, Set<String> layers, int everySteps, double maxHz) {
    /** Observables a watch gets when it names none. */
    static final List<String> DEFAULT_OBSERVABLES = List.of("loss", "accuracy", "test_loss", "test_accuracy", "state");

    boolean wants(Frame f) {
        if (!observables.contains(f.getObservable())) return false;
        if (!f.getLayer().isEmpty() && !layers.isEmpty() && !layers.contains(f.getLayer())) return false;
        return !f.hasScalar() || everySteps <= 1 || f.getStep() % everySteps == 0;
    }

    /** Minimum nanoseconds between two latest-wins frames of one key (0: no limit). */
    long minIntervalNanos() {
        return maxHz > 0 ? (long) (1e9 / maxHz) : 0;
    }
}
