package io.eiscope.engine.sim;

import io.eiscope.engine.observe.DeferredObservable;
import io.eiscope.engine.observe.Observable;
import io.eiscope.engine.observe.Observation;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Publishes the measured (per-layer or per-parameter) observables of one simulation: those
 * demanded by subscribers when due (step cadence and rate limit), and all of one observable
 * at once for a new subscriber. Confined to the simulation's thread.
 *
 * <p>{@link DeferredObservable}s are prepared here (a copy) and computed on the analysis
 * executor; the result comes back through {@code onSimulationThread} (the runner's mailbox) and is
 * published there, so the sink is only ever called on the simulation's thread, with the step of
 * the copy. At most one computation is in flight per observable and target: measurements that fall
 * due meanwhile are conflated into one, taken on the latest state as soon as the running one is
 * published (so a simulation that pauses still gets the value of the step it stopped at). Results
 * of a run that was reset meanwhile are dropped.
 */
final class Measurer {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Measurer.class);

    private final Simulation sim;
    private final ObservationSink sink;
    private final Executor analysis;
    private final Consumer<Runnable> onSimulationThread;
    private final Map<String, long[]> lastEmitted = new HashMap<>(); // observable/target -> {nanos, step}
    private final Set<String> inFlight = new HashSet<>(); // observable/target of deferred computations running
    private final Set<String> pending = new HashSet<>(); // came due while in flight: measure again when it lands
    private long run; // incremented at every reset: deferred results of an earlier run are dropped

    /**
     * @param analysis           runs deferred computations
     * @param onSimulationThread runs an action on the simulation's thread at its next boundary
     */
    Measurer(Simulation sim, ObservationSink sink, Executor analysis, Consumer<Runnable> onSimulationThread) {
        this.sim = sim;
        this.sink = sink;
        this.analysis = analysis;
        this.onSimulationThread = onSimulationThread;
    }

    /** Forgets when each target was last published and drops the deferred results still to come (after a reset). */
    void clear() {
        lastEmitted.clear();
        pending.clear();
        run++;
    }

    /** Publishes each demanded target whose cadence is due at the simulation's current step. */
    void publishDue(List<Demand> demands) {
        if (demands.isEmpty()) return;
        long step = sim.step(), now = System.nanoTime();
        for (Demand d : demands) {
            if (d.everySteps() > 1 && step % d.everySteps() != 0) continue;
            for (String target : targets(d.observable())) {
                if (d.exact() ? !target.equals(d.selector()) : !selects(d.selector(), target)) continue;
                long[] last = lastEmitted.get(d.observable() + '/' + target);
                if (last != null && (last[1] == step || now - last[0] < d.minIntervalNanos())) continue;
                publish(d.observable(), target);
            }
        }
    }

    /** Publishes {@code observable} now for the targets picked by {@code selectors} (empty: all). */
    void publishNow(String observable, List<String> selectors) {
        for (String target : targets(observable)) {
            if (selectors.isEmpty() || selectors.stream().anyMatch(sel -> selects(sel, target)))
                publish(observable, target);
        }
    }

    /**
     * One-off measurements of {@code observables} (measured per layer) on the targets of
     * {@code sim} that {@code selectors} pick (empty: all), stamped {@code wallNanos}: each is
     * computed at once, except a {@link DeferredObservable}, which is only prepared (copied) now and
     * computed when its supplier is called, on any thread. Targets where an observable does not
     * apply give null.
     *
     * @throws IllegalArgumentException naming an observable that is not measured per layer
     */
    static List<Supplier<Observation>> prepare(
            Simulation sim, List<String> observables, List<String> selectors, long wallNanos) {
        List<Supplier<Observation>> out = new java.util.ArrayList<>();
        long step = sim.step();
        for (String name : observables) {
            Observable o = sim.catalogue()
                    .measured(name)
                    .orElseThrow(
                            () -> new IllegalArgumentException(
                                    "'" + name
                                            + "' is not measured per layer; network-wide scalars such as loss are in the record (GetHistory)"));
            for (String target : o.targets(sim)) {
                if (!selectors.isEmpty() && selectors.stream().noneMatch(sel -> selects(sel, target))) continue;
                if (o instanceof DeferredObservable d) {
                    Supplier<Observation.Payload> computation = d.prepare(sim, target);
                    if (computation != null)
                        out.add(() -> {
                            Observation.Payload p = computation.get();
                            return p == null ? null : new Observation(step, wallNanos, name, target, p);
                        });
                } else {
                    Observation.Payload p = o.measure(sim, target);
                    Observation measured = p == null ? null : new Observation(step, wallNanos, name, target, p);
                    out.add(() -> measured);
                }
            }
        }
        return out;
    }

    /** A selector picks a layer or parameter by name; a layer name also picks its parameters ("layer0" -> "layer0.W"). */
    static boolean selects(String selector, String name) {
        return selector.isEmpty() || name.equals(selector) || name.startsWith(selector + '.');
    }

    /** What a measured observable is measured on (layers or parameters); nothing for unknown names. */
    private List<String> targets(String observable) {
        return sim.catalogue().measured(observable).map(o -> o.targets(sim)).orElse(List.of());
    }

    private void publish(String observable, String target) {
        Observable o = sim.catalogue().measured(observable).orElse(null);
        if (o == null) return;
        if (o instanceof DeferredObservable d) {
            defer(d, target);
            return;
        }
        Observation.Payload payload = o.measure(sim, target);
        if (payload == null) return;
        long step = sim.step();
        lastEmitted.put(observable + '/' + target, new long[] {System.nanoTime(), step});
        sink.publish(new Observation(step, wallNanos(), observable, target, payload));
    }

    /** Copies now, computes on the analysis executor, publishes back on this thread; skipped while one is in flight. */
    private void defer(DeferredObservable o, String target) {
        String key = o.name() + '/' + target;
        if (inFlight.contains(key)) {
            pending.add(key);
            return;
        }
        Supplier<Observation.Payload> computation = o.prepare(sim, target);
        if (computation == null) return;
        long step = sim.step(), wall = wallNanos(), ofRun = run;
        lastEmitted.put(key, new long[] {System.nanoTime(), step});
        inFlight.add(key);
        try {
            analysis.execute(() -> {
                Observation.Payload payload = null;
                try {
                    payload = computation.get();
                } catch (RuntimeException | Error e) {
                    LOG.atWarn()
                            .addKeyValue("observable", o.name())
                            .addKeyValue("target", target)
                            .addKeyValue("step", step)
                            .setCause(e)
                            .log("a measurement failed");
                }
                Observation.Payload result = payload;
                onSimulationThread.accept(() -> {
                    inFlight.remove(key);
                    if (ofRun != run) return;
                    if (result != null) sink.publish(new Observation(step, wall, o.name(), target, result));
                    if (pending.remove(key) && sim.step() != step) defer(o, target); // the latest state, once
                });
            });
        } catch (RejectedExecutionException shuttingDown) {
            inFlight.remove(key);
        }
    }

    private static long wallNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
