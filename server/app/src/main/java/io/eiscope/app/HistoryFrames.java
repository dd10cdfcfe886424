package io.eiscope.app;

import io.eiscope.api.v1.Event;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.Scalar;
import io.eiscope.store.RecordedEvent;
import io.eiscope.store.RunStore;
import io.eiscope.store.SeriesData;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * The recorded history of a run as the frames a Watch with {@code from_step} sends first, in step
 * order (then wall time). The series are read once, as compact columns; frames are built one at a
 * time as the stream takes them (a k-way merge of the series and the events), so a million-step
 * history costs its columns in memory, not a million frame objects.
 */
final class HistoryFrames implements Iterator<Frame> {
    /** The next point of one series (or event list) not yet sent. */
    private static final class Cursor {
        final SeriesData series; // null for the events
        final List<RecordedEvent> events;
        int next;

        Cursor(SeriesData series, List<RecordedEvent> events) {
            this.series = series;
            this.events = events;
        }

        long step() {
            return series != null ? series.steps()[next] : events.get(next).step();
        }

        long wall() {
            return series != null ? series.wallNanos()[next] : events.get(next).wallNanos();
        }

        boolean done() {
            return next >= (series != null ? series.size() : events.size());
        }
    }

    private final String runId;
    private final PriorityQueue<Cursor> queue = new PriorityQueue<>(
            (a, b) -> a.step() != b.step() ? Long.compare(a.step(), b.step()) : Long.compare(a.wall(), b.wall()));

    private HistoryFrames(String runId, List<Cursor> cursors) {
        this.runId = runId;
        for (Cursor c : cursors) if (!c.done()) queue.add(c);
    }

    /**
     * Blocking (reads the store): the scalars and events of {@code filter}'s observables from
     * {@code fromStep} on that were published before {@code cut}.
     */
    static HistoryFrames of(
            RunStore store, String runId, WatchFilter filter, long fromStep, SimulationStreams.HistoryCut cut) {
        List<Cursor> cursors = new ArrayList<>();
        for (SeriesData s : store.history(runId, filter.observables(), filter.layers(), fromStep, 0, 0)) {
            KeptPoints kept = new KeptPoints();
            for (int i = 0; i < s.size(); i++) {
                long step = s.steps()[i];
                if (cut.includes(s.observable(), s.layer(), step, s.wallNanos()[i])
                        && (filter.everySteps() <= 1 || step % filter.everySteps() == 0)) kept.add(i);
            }
            cursors.add(new Cursor(kept.select(s), null));
        }
        List<RecordedEvent> events = new ArrayList<>();
        for (RecordedEvent e : store.events(runId, fromStep, 0)) {
            if (filter.observables().contains(e.kind()) && cut.includes(e.kind(), "", e.step(), e.wallNanos()))
                events.add(e);
        }
        cursors.add(new Cursor(null, events));
        return new HistoryFrames(runId, cursors);
    }

    @Override
    public boolean hasNext() {
        return !queue.isEmpty();
    }

    @Override
    public Frame next() {
        Cursor c = queue.poll();
        if (c == null) throw new NoSuchElementException();
        Frame f = c.series != null ? scalar(c.series, c.next) : event(c.events.get(c.next));
        c.next++;
        if (!c.done()) queue.add(c);
        return f;
    }

    private Frame scalar(SeriesData s, int i) {
        return Frame.newBuilder()
                .setSimulationId(runId)
                .setStep(s.steps()[i])
                .setWallTimeUnixNanos(s.wallNanos()[i])
                .setObservable(s.observable())
                .setLayer(s.layer())
                .setScalar(Scalar.newBuilder().setValue(s.values()[i]).setMergedCount(1))
                .build();
    }

    private Frame event(RecordedEvent e) {
        return Frame.newBuilder()
                .setSimulationId(runId)
                .setStep(e.step())
                .setWallTimeUnixNanos(e.wallNanos())
                .setObservable(e.kind())
                .setEvent(Event.newBuilder()
                        .setState(ProtoMapper.toProto(io.eiscope.engine.sim.SimulationState.valueOf(e.state())))
                        .setMessage(e.message()))
                .build();
    }

    /** Indices of the points kept from a series. */
    private static final class KeptPoints {
        private int[] at = new int[64];
        private int n;

        void add(int i) {
            if (n == at.length) at = java.util.Arrays.copyOf(at, n * 2);
            at[n++] = i;
        }

        SeriesData select(SeriesData s) {
            if (n == s.size()) return s;
            long[] steps = new long[n], walls = new long[n];
            double[] values = new double[n];
            for (int k = 0; k < n; k++) {
                steps[k] = s.steps()[at[k]];
                values[k] = s.values()[at[k]];
                walls[k] = s.wallNanos()[at[k]];
            }
            return new SeriesData(s.observable(), s.layer(), steps, values, walls, s.recordedPoints(), false);
        }
    }
}
