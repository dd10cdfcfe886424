package io.eiscope.app;

import io.eiscope.api.v1.Frame;
import io.eiscope.engine.observe.Observation;
import io.eiscope.engine.sim.Demand;
import io.eiscope.engine.sim.ObservationSink;
import io.eiscope.engine.sim.SimulationRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Fans one simulation's observations out to its subscribers. Each observation is converted
 * to a frame once, on the simulation's thread, kept as the latest value of its
 * (observable, layer) for late subscribers, and offered to every subscriber, which buffers it
 * under its own policy (see {@link Subscriber}).
 */
final class SimulationStreams implements ObservationSink {
    /** Cap on per-parameter measurements when a subscriber sets no max_hz. */
    static final long DEFAULT_TENSOR_INTERVAL_NANOS = 50_000_000L;

    private final String simulationId;
    private final Map<String, Frame> latest = new ConcurrentHashMap<>();
    private final Set<Subscriber> subscribers = new CopyOnWriteArraySet<>();
    private final Set<String> perLayerObservables;
    private volatile SimulationRunner runner;
    private final RunRecording recording; // null: not recorded
    private final Runnable stateChanged;

    /** @param stateChanged run after each state event is published (on the publishing thread) */
    SimulationStreams(
            String simulationId, Set<String> perLayerObservables, RunRecording recording, Runnable stateChanged) {
        this.simulationId = simulationId;
        this.perLayerObservables = perLayerObservables;
        this.recording = recording;
        this.stateChanged = stateChanged;
    }

    void attach(SimulationRunner runner) {
        this.runner = runner;
    }

    @Override
    public void publish(Observation o) {
        Frame f = ProtoMapper.toFrame(simulationId, o);
        // One lock orders publishing against subscribing, so that a new subscriber's replay
        // of the latest values and its live frames neither overlap nor leave a gap.
        synchronized (this) {
            if (recording != null) recording.observe(o); // same order as the live frames (see subscribeFromRecord)
            latest.put(o.observable() + '/' + o.layer(), f);
            EncodedFrame shared = new EncodedFrame(f); // encoded once, by the first subscriber that sends it
            for (Subscriber s : subscribers) s.offer(shared);
        }
        if (o.observable().equals("state")) stateChanged.run();
    }

    @Override
    public void intervention(int position, io.eiscope.engine.sim.Intervention entry) {
        if (recording == null) return;
        synchronized (this) {
            recording.intervention(position, entry);
        }
    }

    @Override
    public void reset() {
        if (recording == null) return;
        synchronized (this) {
            recording.reset();
        }
    }

    /**
     * Adds a subscriber that first gets the recorded history, then live frames, with no gap and
     * no duplicate: under the publishing lock it starts holding live frames and runs
     * {@code markHistoryEnd} (the recorder's flush barrier: everything published before it is in
     * the record once it completes), then the caller reads the record and releases the subscriber.
     */
    HistoryCut subscribeFromRecord(Subscriber s, Runnable markHistoryEnd) {
        HistoryCut cut;
        synchronized (this) {
            subscribers.add(s);
            markHistoryEnd.run();
            Map<String, long[]> last = new java.util.HashMap<>();
            latest.forEach((key, f) -> last.put(key, new long[] {f.getStep(), f.getWallTimeUnixNanos()}));
            cut = new HistoryCut(last, baselineStep);
        }
        updateDemands();
        measureNowFor(s);
        return cut;
    }

    /**
     * Measures the subscriber's per-layer observables at once, so it need not wait for their cadence; the values reach
     * it through the sink like any frame. One that fails is only missing until its next scheduled measurement.
     */
    private void measureNowFor(Subscriber s) {
        for (String obs : s.filter().observables()) {
            if (perLayerObservables.contains(obs)) {
                var unused = runner.measureNow(obs, List.copyOf(s.filter().layers()));
            }
        }
    }

    /** Adds a subscriber: it gets the current value of each chosen observable at once, then live frames. */
    void subscribe(Subscriber s) {
        synchronized (this) {
            subscribers.add(s);
            latest.values().stream()
                    .filter(f -> !f.hasTensor() && !f.hasHistogram())
                    .sorted(java.util.Comparator.comparingLong(Frame::getStep))
                    .forEach(s::offer);
        }
        updateDemands();
        measureNowFor(s);
    }

    /**
     * Where the history of a {@code from_step} watch ends and its live frames begin: the recorder
     * may have committed frames published after the subscription by the time the history is read,
     * and those also arrive live. Per series ("observable/layer"), the step and wall time of the
     * last frame published before the subscription; a series not published by this process yet
     * ends at {@code baselineStep}, where the run stood when this process took it over.
     */
    record HistoryCut(Map<String, long[]> last, long baselineStep) {
        /** True when the recorded point belongs to the history (it was published before the subscription). */
        boolean includes(String observable, String layer, long step, long wallNanos) {
            long[] l = last.get(observable + '/' + layer);
            if (l == null) return step <= baselineStep;
            return step < l[0] || (step == l[0] && wallNanos <= l[1]);
        }
    }

    private volatile long baselineStep;

    /** The step where this process took the run over (recovered or forked), for {@link HistoryCut}. */
    void baseline(long step) {
        this.baselineStep = step;
    }

    void unsubscribe(Subscriber s) {
        if (subscribers.remove(s)) updateDemands();
    }

    /** The latest value of each scalar: network-wide by name, per layer as "observable@layer". */
    Map<String, Double> latestScalars() {
        Map<String, Double> out = new java.util.TreeMap<>();
        for (Frame f : latest.values()) {
            if (f.hasScalar())
                out.put(
                        f.getLayer().isEmpty() ? f.getObservable() : f.getObservable() + '@' + f.getLayer(),
                        f.getScalar().getValue());
        }
        return out;
    }

    /** The largest number of frames any subscriber holds now. */
    int maxBacklog() {
        return subscribers.stream().mapToInt(Subscriber::backlog).max().orElse(0);
    }

    int subscriberCount() {
        return subscribers.size();
    }

    /** Ends every stream (the simulation is being deleted). */
    void endAll() {
        for (Subscriber s : subscribers) s.end();
        subscribers.clear();
    }

    private void updateDemands() {
        List<Demand> demands = new ArrayList<>();
        for (Subscriber s : subscribers) {
            WatchFilter f = s.filter();
            long interval = f.maxHz() > 0 ? f.minIntervalNanos() : DEFAULT_TENSOR_INTERVAL_NANOS;
            for (String obs : f.observables()) {
                if (!perLayerObservables.contains(obs)) continue;
                if (f.layers().isEmpty()) demands.add(new Demand(obs, "", interval, f.everySteps()));
                else f.layers().forEach(l -> demands.add(new Demand(obs, l, interval, f.everySteps())));
            }
        }
        SimulationRunner r = runner;
        if (r != null) r.setDemands(demands);
    }
}
