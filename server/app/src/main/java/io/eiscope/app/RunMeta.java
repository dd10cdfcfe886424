package io.eiscope.app;

import io.eiscope.store.Recorder;
import java.util.List;

/**
 * What a user keeps about a run (name, tags, notes) and where its record stands, as the API
 * shows it. The record in the store is the truth; this is its copy in memory, changed only
 * after the store accepted the change. Thread-safe.
 */
final class RunMeta {
    private final String runId;
    private final String preset;
    private final Recorder recorder;
    private final long recordedBefore;
    private final io.eiscope.engine.sim.CheckpointSink.Policy policy;
    private final String owner;
    private volatile String member = "";
    private volatile String name;
    private volatile List<String> tags;
    private volatile String notes;

    /** @param policy the run's own checkpoint policy; null: the server's */
    RunMeta(
            String runId,
            String name,
            List<String> tags,
            String notes,
            String preset,
            Recorder recorder,
            long recordedBefore,
            io.eiscope.engine.sim.CheckpointSink.Policy policy,
            String owner) {
        this.policy = policy;
        this.owner = owner;
        this.runId = runId;
        this.name = name;
        this.tags = List.copyOf(tags);
        this.notes = notes;
        this.preset = preset;
        this.recorder = recorder;
        this.recordedBefore = recordedBefore;
    }

    String name() {
        return name;
    }

    List<String> tags() {
        return tags;
    }

    String notes() {
        return notes;
    }

    /** The run's own checkpoint policy; null when it follows the server's. */
    io.eiscope.engine.sim.CheckpointSink.Policy policy() {
        return policy;
    }

    /** Who the run belongs to ("" without authentication). */
    String owner() {
        return owner;
    }

    String preset() {
        return preset;
    }

    /** The last step whose scalars are committed to the record. */
    long recordedStep() {
        Long s = recorder.committedStep(runId);
        return s == null ? recordedBefore : s;
    }

    long mergedSamples() {
        return recorder.merged(runId);
    }

    void update(String name, List<String> tags, String notes) {
        if (name != null) this.name = name;
        if (tags != null) this.tags = List.copyOf(tags);
        if (notes != null) this.notes = notes;
    }

    /** The cluster member that holds the run (host:port of its gRPC port), or "" on a server on its own. */
    String member() {
        return member;
    }

    void setMember(String m) {
        this.member = m;
    }
}
