package io.eiscope.engine.sim;

import io.eiscope.engine.observe.Observation;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Publishes the measured (per-layer or per-parameter) observables of one simulation: those
 * demanded by subscribers when due (step cadence and rate limit), and all of one observable
 * at once for a new subscriber. Confined to the simulation's thread.
 */
final class Measurer {
    private final Simulation sim;
    private final ObservationSink sink;
    private final Map<String, long[]> lastEmitted = new HashMap<>(); // observable/target -> {nanos, step}

    Measurer(Simulation sim, ObservationSink sink) {
        this.sim = sim;
        this.sink = sink;
    }

    /** Forgets when each target was last published (after a reset). */
    void clear() {
        lastEmitted.clear();
    }

    /** Publishes each demanded target whose cadence is due at the simulation's current step. */
    void publishDue(List<Demand> demands) {
        if (demands.isEmpty()) return;
        long step = sim.step(), now = System.nanoTime();
        for (Demand d : demands) {
            if (d.everySteps() > 1 && step % d.everySteps() != 0) continue;
            for (String target : targets(d.observable())) {
                if (!selects(d.selector(), target)) continue;
                long[] last = lastEmitted.get(d.observable() + '/' + target);
                if (last != null && (last[1] == step || now - last[0] < d.minIntervalNanos())) continue;
                publish(d.observable(), target);
            }
        }
    }

    /** Publishes {@code observable} now for the targets picked by {@code selectors} (empty: all). */
    void publishNow(String observable, List<String> selectors) {
        for (String target : targets(observable)) {
            if (selectors.isEmpty() || selectors.stream().anyMatch(sel -> selects(sel, target))) publish(observable, target);
        }
    }

    /** A selector picks a layer or parameter by name; a layer name also picks its parameters ("layer0" -> "layer0.W"). */
    private static boolean selects(String selector, String name) {
        return selector.isEmpty() || name.equals(selector) || name.startsWith(selector + '.');
    }

    /** What a measured observable is measured on (layers or parameters); nothing for unknown names. */
    private List<String> targets(String observable) {
        return sim.catalogue().measured(observable).map(o -> o.targets(sim)).orElse(List.of());
    }

    private void publish(String observable, String target) {
        Observation.Payload payload = sim.catalogue().measured(observable).map(o -> o.measure(sim, target)).orElse(null);
        if (payload == null) return;
        long step = sim.step();
        lastEmitted.put(observable + '/' + target, new long[] {System.nanoTime(), step});
        Instant now = Instant.now();
        sink.publish(new Observation(step, now.getEpochSecond() * 1_000_000_000L + now.getNano(), observable, target, payload));
    }
}
