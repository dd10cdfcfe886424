package io.eiscope.app;

import io.eiscope.engine.observe.Observation;
import io.eiscope.engine.sim.Intervention;
import io.eiscope.store.Recorder;

/**
 * Hands one run's observations to the record's write-behind {@link Recorder}: every scalar
 * (network-wide and per layer), every state and intervention event, every intervention-log
 * entry (as its protobuf Command), and resets. Called on the simulation's thread, inside the
 * streams' publishing lock (see {@link SimulationStreams}), so the record and the live frames
 * see one order. Never blocks.
 */
final class RunRecording {
    private final String runId;
    private final Recorder recorder;
    private final Runnable onReset;

    /** @param onReset told of each reset, on the simulation's thread, before the record is truncated */
    RunRecording(String runId, Recorder recorder, Runnable onReset) {
        this.runId = runId;
        this.recorder = recorder;
        this.onReset = onReset;
    }

    RunRecording(String runId, Recorder recorder) {
        this(runId, recorder, () -> {});
    }

    void observe(Observation o) {
        if (o.payload() instanceof Observation.Scalar s) {
            recorder.offerPoint(runId, o.observable(), o.layer(), o.step(), o.wallTimeUnixNanos(), s.value());
        } else if (o.payload() instanceof Observation.Event e) {
            recorder.offerEvent(
                    runId,
                    o.step(),
                    o.wallTimeUnixNanos(),
                    o.observable(),
                    e.state().name(),
                    e.message());
        }
    }

    void intervention(int position, Intervention entry) {
        recorder.offerIntervention(
                runId,
                position,
                entry.step(),
                ProtoMapper.toProto(entry.command()).toByteArray());
    }

    void reset() {
        onReset.run();
        recorder.offerTruncate(runId);
    }
}
