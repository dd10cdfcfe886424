package io.eiscope.client;

import io.eiscope.api.v1.CheckpointInfo;
import io.eiscope.api.v1.GetCheckpointRequest;
import io.eiscope.api.v1.GetEventsRequest;
import io.eiscope.api.v1.GetHistoryRequest;
import io.eiscope.api.v1.GetLatestRequest;
import io.eiscope.api.v1.GetLatestResponse;
import io.eiscope.api.v1.ListCheckpointsRequest;
import io.eiscope.api.v1.NamedTensor;
import io.eiscope.api.v1.PinCheckpointRequest;
import io.eiscope.api.v1.RecordedEvent;
import io.eiscope.api.v1.SaveCheckpointRequest;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationServiceGrpc.SimulationServiceBlockingStub;
import io.eiscope.api.v1.UpdateRunRequest;
import io.eiscope.client.EiscopeClient.FloatTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run-record calls of {@link EiscopeClient} (kept apart so that neither file grows past
 * what one reads at once): history, latest values, events, name/tags/notes and checkpoints of
 * every run the server holds, read from its data directory. Errors surface as
 * {@link io.grpc.StatusRuntimeException} with the server's message (NOT_FOUND for an unknown
 * run or checkpoint, INVALID_ARGUMENT naming the field). Thread-safe.
 */
abstract sealed class RunRecordCalls permits TimeTravelCalls {
    private final SimulationServiceBlockingStub stub;

    RunRecordCalls(SimulationServiceBlockingStub stub) {
        this.stub = stub;
    }

    /** Every recorded point of the chosen scalar observables (none named: every recorded one), network-wide and of every layer. */
    public History history(String id, String... observables) {
        return history(GetHistoryRequest.newBuilder().setId(id).addAllObservables(List.of(observables)).build());
    }

    /**
     * The recorded scalars a request selects: observables, layers, an inclusive step range
     * ({@code to_step} 0: up to the last recorded step) and {@code max_points} (0: every point;
     * else at least 4, and each series is downsampled on the server keeping, per bucket of
     * steps, the first, smallest, largest and last value).
     */
    public History history(GetHistoryRequest request) {
        return History.of(stub.getHistory(request));
    }

    /**
     * The latest value of each scalar observable (none named: all), without opening a stream:
     * {@code getValuesMap()} holds network-wide ones by name ("loss") and per-layer ones as
     * "observable@layer"; {@code getStep()} and {@code getState()} say where the run is.
     */
    public GetLatestResponse latest(String id, String... observables) {
        return stub.getLatest(GetLatestRequest.newBuilder().setId(id).addAllObservables(List.of(observables)).build());
    }

    /** Every recorded state change ("state") and intervention ("intervention") of the run, in order. */
    public List<RecordedEvent> events(String id) {
        return events(id, 0, 0);
    }

    /** The recorded state changes and interventions from {@code fromStep} to {@code toStep} (inclusive; 0: no limit). */
    public List<RecordedEvent> events(String id, long fromStep, long toStep) {
        return stub.getEvents(GetEventsRequest.newBuilder().setId(id).setFromStep(fromStep).setToStep(toStep).build()).getEventsList();
    }

    /**
     * Renames, tags or annotates a run; a null argument leaves that field as it is. {@code tags}
     * replaces the tags (each 1..64 characters without commas); an empty list removes them all.
     * Returns the run's view (its name is {@code getSpec().getName()}).
     */
    public Simulation updateRun(String id, String name, List<String> tags, String notes) {
        UpdateRunRequest.Builder b = UpdateRunRequest.newBuilder().setId(id);
        if (name != null) b.setName(name);
        if (notes != null) b.setNotes(notes);
        if (tags != null) b.addAllTags(tags).setClearTags(tags.isEmpty());
        return stub.updateRun(b.build()).getSimulation();
    }

    /** The checkpoints kept for a run, oldest first. */
    public List<CheckpointInfo> checkpoints(String id) {
        return stub.listCheckpoints(ListCheckpointsRequest.newBuilder().setId(id).build()).getCheckpointsList();
    }

    /**
     * Takes a checkpoint of the full state at the next step boundary and returns once it is on
     * disk; {@code pin} keeps it whatever the retention. {@code saveCheckpointAt} saves a past step.
     */
    public CheckpointInfo saveCheckpoint(String id, boolean pin) {
        return stub.saveCheckpoint(SaveCheckpointRequest.newBuilder().setId(id).setPin(pin).build()).getCheckpoint();
    }

    /** Keeps the checkpoint at {@code step} whatever the retention ({@code pinned} false releases it). */
    public CheckpointInfo pinCheckpoint(String id, long step, boolean pinned) {
        return stub.pinCheckpoint(PinCheckpointRequest.newBuilder().setId(id).setStep(step).setPinned(pinned).build()).getCheckpoint();
    }

    /**
     * The parameters stored in the checkpoint at {@code step} (see {@link #checkpoints}) by name,
     * like {@code parameters(id, names)}: none named, all of them. NOT_FOUND names the steps
     * that have a checkpoint.
     */
    public Map<String, FloatTensor> checkpoint(String id, long step, String... names) {
        return parameters(GetCheckpointRequest.newBuilder().setId(id).setStep(step).addAllNames(List.of(names)));
    }

    /** The parameters stored in the run's newest checkpoint; NOT_FOUND if it has none yet. */
    public Map<String, FloatTensor> latestCheckpoint(String id, String... names) {
        return parameters(GetCheckpointRequest.newBuilder().setId(id).setLatest(true).addAllNames(List.of(names)));
    }

    /**
     * The checkpoint at {@code step} as the NumPy {@code .npz} file the server keeps: each
     * parameter under "param/&lt;name&gt;" (e.g. "param/layer0.W"), beside the rest of the state.
     * (The answer also carries the parameters decoded, so it is about twice the file's size.)
     */
    public byte[] checkpointNpz(String id, long step) {
        return stub.getCheckpoint(GetCheckpointRequest.newBuilder().setId(id).setStep(step).setIncludeNpz(true).build())
                .getNpz().toByteArray();
    }

    /** The run's newest checkpoint as a {@code .npz} file; NOT_FOUND if it has none yet. */
    public byte[] latestCheckpointNpz(String id) {
        return stub.getCheckpoint(GetCheckpointRequest.newBuilder().setId(id).setLatest(true).setIncludeNpz(true).build())
                .getNpz().toByteArray();
    }

    private Map<String, FloatTensor> parameters(GetCheckpointRequest.Builder request) {
        return tensors(stub.getCheckpoint(request.build()).getParametersList());
    }

    /** Name to tensor, in the server's order. */
    static Map<String, FloatTensor> tensors(List<NamedTensor> named) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (NamedTensor t : named) out.put(t.getName(), FloatTensor.of(t.getTensor()));
        return out;
    }
}
