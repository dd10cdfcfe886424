package io.eiscope.app;

import io.eiscope.api.v1.Event;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.Scalar;
import io.eiscope.store.RecordedEvent;
import io.eiscope.store.RunStore;
import io.eiscope.store.SeriesData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** The recorded history of a run as the frames a Watch with {@code from_step} sends first, in step order. */
final class HistoryFrames {
    private HistoryFrames() {}

    /** Blocking (reads the store). Scalars and events of {@code filter}'s observables from {@code fromStep} on. */
    static List<Frame> of(RunStore store, String runId, WatchFilter filter, long fromStep, SimulationStreams.HistoryCut cut) {
        List<Frame> out = new ArrayList<>();
        for (SeriesData s : store.history(runId, filter.observables(), filter.layers(), fromStep, 0, 0)) {
            for (int i = 0; i < s.size(); i++) {
                if (!cut.includes(s.observable(), s.layer(), s.steps()[i], s.wallNanos()[i])) continue;
                Frame f = Frame.newBuilder().setSimulationId(runId).setStep(s.steps()[i]).setWallTimeUnixNanos(s.wallNanos()[i])
                        .setObservable(s.observable()).setLayer(s.layer()).setScalar(Scalar.newBuilder().setValue(s.values()[i]).setMergedCount(1))
                        .build();
                if (filter.wants(f)) out.add(f);
            }
        }
        Set<String> kinds = filter.observables();
        for (RecordedEvent e : store.events(runId, fromStep, 0)) {
            if (!kinds.contains(e.kind()) || !cut.includes(e.kind(), "", e.step(), e.wallNanos())) continue;
            out.add(Frame.newBuilder().setSimulationId(runId).setStep(e.step()).setWallTimeUnixNanos(e.wallNanos()).setObservable(e.kind())
                    .setEvent(Event.newBuilder().setState(ProtoMapper.toProto(io.eiscope.engine.sim.SimulationState.valueOf(e.state())))
                            .setMessage(e.message())).build());
        }
        out.sort(Comparator.comparingLong(Frame::getStep).thenComparingLong(Frame::getWallTimeUnixNanos)); // stable for equal keys
        return out;
    }
}
