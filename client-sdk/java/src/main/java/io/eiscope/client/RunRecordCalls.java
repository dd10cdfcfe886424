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

    /**
     * Every recorded point of the chosen scalar observables (none named: every recorded one), network-wide and of every layer.
     *
     * @param id the run's id
     * @param observables scalar observables, e.g. "loss"; none: every recorded one
     * @return the series, decoded
     */
    public History history(String id, String... observables) {
        return history(GetHistoryRequest.newBuilder()
                .setId(id)
                .addAllObservables(List.of(observables))
                .build());
    }

    /**
     * The recorded scalars a request selects: observables, layers, an inclusive step range
     * ({@code to_step} 0: up to the last recorded step) and {@code max_points} (0: every point;
     * else at least 4, and each series is downsampled on the server keeping, per bucket of
     * steps, the first, smallest, largest and last value).
     *
     * @param request the run's id and the selection
     * @return the series, decoded
     */
    public History history(GetHistoryRequest request) {
        return History.of(stub.getHistory(request));
    }

    /**
     * The latest value of each scalar observable (none named: all), without opening a stream:
     * {@code getValuesMap()} holds network-wide ones by name ("loss") and per-layer ones as
     * "observable@layer"; {@code getStep()} and {@code getState()} say where the run is.
     *
     * @param id the run's id
     * @param observables scalar observables; none: all
     * @return the values, the run's step and state
     */
    public GetLatestResponse latest(String id, String... observables) {
        return stub.getLatest(GetLatestRequest.newBuilder()
                .setId(id)
                .addAllObservables(List.of(observables))
                .build());
    }

    /**
     * Every recorded state change ("state") and intervention ("intervention") of the run, in order.
     *
     * @param id the run's id
     * @return the events, oldest first
     */
    public List<RecordedEvent> events(String id) {
        return events(id, 0, 0);
    }

    /**
     * The recorded state changes and interventions from {@code fromStep} to {@code toStep} (inclusive; 0: no limit).
     *
     * @param id the run's id
     * @param fromStep the first step
     * @param toStep the last step; 0: no limit
     * @return the events, oldest first
     */
    public List<RecordedEvent> events(String id, long fromStep, long toStep) {
        return stub.getEvents(GetEventsRequest.newBuilder()
                        .setId(id)
                        .setFromStep(fromStep)
                        .setToStep(toStep)
                        .build())
                .getEventsList();
    }

    /**
     * Renames, tags or annotates a run; a null argument leaves that field as it is. {@code tags}
     * replaces the tags (each 1..64 characters without commas); an empty list removes them all.
     * Returns the run's view (its name is {@code getSpec().getName()}).
     *
     * @param id the run's id
     * @param name the new name, or null
     * @param tags the new tags, or null
     * @param notes the new notes, or null
     * @return the run's view
     */
    public Simulation updateRun(String id, String name, List<String> tags, String notes) {
        UpdateRunRequest.Builder b = UpdateRunRequest.newBuilder().setId(id);
        if (name != null) b.setName(name);
        if (notes != null) b.setNotes(notes);
        if (tags != null) b.addAllTags(tags).setClearTags(tags.isEmpty());
        return stub.updateRun(b.build()).getSimulation();
    }

    /**
     * The checkpoints kept for a run, oldest first.
     *
     * @param id the run's id
     * @return step, time, size, SHA-256, pinned and reason of each
     */
    public List<CheckpointInfo> checkpoints(String id) {
        return stub.listCheckpoints(
                        ListCheckpointsRequest.newBuilder().setId(id).build())
                .getCheckpointsList();
    }

    /**
     * Takes a checkpoint of the full state at the next step boundary and returns once it is on
     * disk; {@code pin} keeps it whatever the retention. {@code saveCheckpointAt} saves a past step.
     *
     * @param id the run's id
     * @param pin true to keep it whatever the retention
     * @return the checkpoint written
     */
    public CheckpointInfo saveCheckpoint(String id, boolean pin) {
        return stub.saveCheckpoint(
                        SaveCheckpointRequest.newBuilder().setId(id).setPin(pin).build())
                .getCheckpoint();
    }

    /**
     * Keeps the checkpoint at {@code step} whatever the retention ({@code pinned} false releases it).
     *
     * @param id the run's id
     * @param step a step with a checkpoint
     * @param pinned true to pin, false to release
     * @return the checkpoint
     */
    public CheckpointInfo pinCheckpoint(String id, long step, boolean pinned) {
        return stub.pinCheckpoint(PinCheckpointRequest.newBuilder()
                        .setId(id)
                        .setStep(step)
                        .setPinned(pinned)
                        .build())
                .getCheckpoint();
    }

    /**
     * The parameters stored in the checkpoint at {@code step} (see {@link #checkpoints}) by name,
     * like {@code parameters(id, names)}: none named, all of them. NOT_FOUND names the steps
     * that have a checkpoint.
     *
     * @param id the run's id
     * @param step a step with a checkpoint (0 is one)
     * @param names parameter names; none: all
     * @return tensors by name, in the server's order
     */
    public Map<String, FloatTensor> checkpoint(String id, long step, String... names) {
        return parameters(
                GetCheckpointRequest.newBuilder().setId(id).setStep(step).addAllNames(List.of(names)));
    }

    /**
     * The parameters stored in the run's newest checkpoint; NOT_FOUND if it has none yet.
     *
     * @param id the run's id
     * @param names parameter names; none: all
     * @return tensors by name, in the server's order
     */
    public Map<String, FloatTensor> latestCheckpoint(String id, String... names) {
        return parameters(
                GetCheckpointRequest.newBuilder().setId(id).setLatest(true).addAllNames(List.of(names)));
    }

    /**
     * The checkpoint at {@code step} as the NumPy {@code .npz} file the server keeps: each
     * parameter under "param/&lt;name&gt;" (e.g. "param/layer0.W"), beside the rest of the state.
     * (The answer also carries the parameters decoded, so it is about twice the file's size.)
     *
     * @param id the run's id
     * @param step a step with a checkpoint
     * @return the file's bytes
     */
    public byte[] checkpointNpz(String id, long step) {
        return stub.getCheckpoint(GetCheckpointRequest.newBuilder()
                        .setId(id)
                        .setStep(step)
                        .setIncludeNpz(true)
                        .build())
                .getNpz()
                .toByteArray();
    }

    /**
     * The run's newest checkpoint as a {@code .npz} file; NOT_FOUND if it has none yet.
     *
     * @param id the run's id
     * @return the file's bytes
     */
    public byte[] latestCheckpointNpz(String id) {
        return stub.getCheckpoint(GetCheckpointRequest.newBuilder()
                        .setId(id)
                        .setLatest(true)
                        .setIncludeNpz(true)
                        .build())
                .getNpz()
                .toByteArray();
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
