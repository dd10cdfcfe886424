package io.eiscope.app;

import com.google.protobuf.InvalidProtocolBufferException;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.engine.sim.CheckpointSink;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Intervention;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.sim.SimulationRunner;
import io.eiscope.engine.sim.SimulationState;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.SimulationConfig;
import io.eiscope.store.Checkpoints;
import io.eiscope.store.RecordedIntervention;
import io.eiscope.store.Recorder;
import io.eiscope.store.RunRecord;
import io.eiscope.store.RunStore;
import io.eiscope.store.SeriesData;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The server's side of the run record: records new runs (spec with its initial values,
 * lineage, inherited log), gives each run its recording sink and checkpoint sink, rebuilds
 * runs from the record after a restart, deletes them, and enforces the disk budget. Owns the
 * store, the recorder and one "eiscope-store" thread for blocking record work (checkpoint
 * files, recording forks), so none of it runs on a training thread or an event loop.
 */
public final class RunArchive implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunArchive.class);

    private final RunStore store;
    private final Recorder recorder;
    private final Checkpoints checkpoints;
    private final CheckpointSink.Policy policy;
    private final long diskBudgetBytes;
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> generations =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "eiscope-store");
        t.setDaemon(true);
        return t;
    });

    /** @param diskBudgetBytes new runs are refused once the record uses more (0: no budget) */
    public RunArchive(
            RunStore store,
            int recorderCapacity,
            long flushMillis,
            int keepCheckpoints,
            CheckpointSink.Policy policy,
            long diskBudgetBytes) {
        this.store = store;
        this.recorder = new Recorder(store, recorderCapacity, flushMillis);
        this.checkpoints = new Checkpoints(store, keepCheckpoints);
        this.policy = policy;
        this.diskBudgetBytes = diskBudgetBytes;
    }

    public RunStore store() {
        return store;
    }

    public Recorder recorder() {
        return recorder;
    }

    public Checkpoints checkpoints() {
        return checkpoints;
    }

    CheckpointSink.Policy policy() {
        return policy;
    }

    /** The thread for blocking record work. */
    ExecutorService executor() {
        return executor;
    }

    /** Refuses a new run when the record is over its disk budget. Blocking (walks the data directory). */
    void checkBudget() {
        if (diskBudgetBytes <= 0) return;
        long used = store.diskBytes();
        if (used > diskBudgetBytes) {
            throw new ApiException(
                    GrpcStatus.RESOURCE_EXHAUSTED,
                    "the run record in " + store.dataDir() + " uses " + used / (1 << 20)
                            + " MiB, over its budget of " + diskBudgetBytes / (1 << 20)
                            + " MiB (--disk-budget-mb): delete runs you no longer"
                            + " need (DeleteSimulation) or start the server with a larger budget");
        }
    }

    /** Records a new run, named {@code name}, and the log it inherits (a fork's). Blocking. */
    void recordNew(
            String id,
            String name,
            SimulationConfig config,
            CheckpointSink.Policy policy,
            long createdMillis,
            String parentId,
            long forkStep,
            String preset,
            List<Intervention> log,
            String owner) {
        store.createRun(RunRecord.created(
                        id,
                        name,
                        ProtoMapper.toRecordedSpec(config, policy).toByteArray(),
                        config.seed(),
                        createdMillis,
                        SimulationState.PAUSED.name(),
                        "created",
                        parentId,
                        forkStep,
                        preset)
                .withOwner(owner));
        for (int i = 0; i < log.size(); i++) {
            recorder.offerIntervention(
                    id,
                    i,
                    log.get(i).step(),
                    ProtoMapper.toProto(log.get(i).command()).toByteArray());
        }
    }

    /**
     * The run's recording. At a reset (on the run's thread) its checkpoints are deleted on the store
     * thread, which writes them: after the checkpoints captured before the reset (dropped, being
     * stale), before those captured after it.
     */
    RunRecording recording(String id) {
        return new RunRecording(id, recorder, () -> {
            generation(id).incrementAndGet();
            try {
                executor.execute(() -> deleteCheckpoints(id));
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                deleteCheckpoints(id); // the store thread has stopped: nothing writes there any more
            }
        });
    }

    private void deleteCheckpoints(String id) {
        try {
            checkpoints.deleteAll(id);
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("run", id).setCause(e).log("the checkpoints of a reset run could not be deleted");
        }
    }

    /** Resets of the run so far, in this process: a checkpoint captured before a reset must not land after it. */
    private java.util.concurrent.atomic.AtomicLong generation(String id) {
        return generations.computeIfAbsent(id, k -> new java.util.concurrent.atomic.AtomicLong());
    }

    /**
     * Writes a run's checkpoints on the store thread, keeping older ones at most
     * {@code policy.everySteps()} steps apart (the time-travel bound; see {@link Checkpoints}).
     * Called on the run's thread at capture: a checkpoint of a run reset before it is written is dropped.
     */
    CheckpointSink checkpointSink(String id, CheckpointSink.Policy policy) {
        return (step, logLength, reason, pinned, state) -> {
            long generation = generation(id).get();
            return write(id, step, logLength, reason, pinned, state, policy.everySteps(), generation);
        };
    }

    /** Writes a checkpoint on the store thread; recorded only if the run was not reset since {@code generation}. */
    CompletableFuture<io.eiscope.store.CheckpointRecord> write(
            String id,
            long step,
            int logLength,
            String reason,
            boolean pinned,
            io.eiscope.engine.sim.StateDict state,
            long replayBound,
            long generation) {
        return CompletableFuture.supplyAsync(
                () -> {
                    if (recorder.forgotten(id)) return null; // deleted meanwhile
                    try {
                        return checkpoints.write(
                                id,
                                step,
                                logLength,
                                reason,
                                pinned,
                                state,
                                replayBound,
                                () -> generation(id).get() == generation);
                    } catch (RuntimeException e) {
                        LOG.atWarn()
                                .addKeyValue("run", id)
                                .addKeyValue("step", step)
                                .setCause(e)
                                .log("a checkpoint failed");
                        throw e;
                    }
                },
                executor);
    }

    /** The run's resets so far in this process (see {@link #write}). */
    long generationOf(String id) {
        return generation(id).get();
    }

    /** A run read back from the record: its simulation at step 0 and its whole intervention log. */
    record Rebuilt(Simulation simulation, List<Intervention> log, CheckpointSink.Policy policy) {}

    /** Builds the run's simulation from its recorded spec, at step 0, and decodes its log. Blocking. */
    Rebuilt rebuild(RunRecord r, Catalogue catalogue, EngineContext context) {
        SimulationSpec spec;
        try {
            spec = SimulationSpec.parseFrom(r.spec());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(
                    "the recorded spec of run " + r.id() + " does not decode: " + e.getMessage(), e);
        }
        Simulation sim = new Simulation(ProtoMapper.toConfig(spec), catalogue, context);
        List<Intervention> log = new ArrayList<>();
        for (RecordedIntervention i : store.interventions(r.id())) {
            try {
                log.add(new Intervention(
                        i.step(), ProtoMapper.toCommand(io.eiscope.api.v1.Command.parseFrom(i.command()))));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException(
                        "entry " + i.position() + " of run " + r.id() + "'s log does not decode", e);
            }
        }
        recorder.restoreMerged(r.id(), r.mergedSamples());
        return new Rebuilt(sim, log, ProtoMapper.toPolicy(spec));
    }

    /**
     * Sends {@code runner} back to where the record of {@code r} ends: the last recorded loss
     * step (or the fork step), from the newest intact checkpoint at or before it, checked
     * against the recorded loss; a run that was running comes back paused. Returns at once; the
     * recovery runs on the runner's thread, ahead of any command sent to it.
     */
    void recover(SimulationRunner runner, RunRecord r, Rebuilt rebuilt) {
        List<SeriesData> loss = store.history(r.id(), Set.of("loss"), Set.of(), r.lastStep(), 0, 0);
        long target = r.forkStep();
        double recordedLoss = Double.NaN;
        if (!loss.isEmpty() && loss.get(0).size() > 0) {
            SeriesData l = loss.get(0);
            if (l.steps()[l.size() - 1] >= target) {
                target = l.steps()[l.size() - 1];
                recordedLoss = l.values()[l.size() - 1];
            }
        }
        SimulationState was = SimulationState.valueOf(r.state());
        SimulationState state = switch (was) {
            case FINISHED, DIVERGED, FAILED -> was;
            default -> SimulationState.PAUSED;
        };
        long targetStep = target;
        var unused = runner.recover(
                        () -> checkpoints
                                .newestValid(r.id(), targetStep)
                                .map(l -> new SimulationRunner.RecoveryPoint(
                                        l.record().step(), l.record().logLength(), l.state()))
                                .orElse(null),
                        targetStep,
                        recordedLoss,
                        state,
                        // The queue is not kept across a restart: its runs come back paused, like the playing ones.
                        was == SimulationState.QUEUED
                                ? "; it was queued for a slot when the server stopped: play it to queue it again"
                                : was == SimulationState.RUNNING ? "; it was playing when the server stopped" : "")
                .whenComplete((message, err) -> {
                    if (err != null)
                        LOG.atWarn().addKeyValue("run", r.id()).setCause(err).log("the run could not be recovered");
                    else LOG.atInfo().addKeyValue("run", r.id()).log(message);
                });
    }

    /** Deletes the run's record and files, after what is waiting for it was written. Blocking. */
    void delete(String id) {
        generations.remove(id);
        recorder.forget(id);
        recorder.flush().join();
        // On the store thread, after the run's checkpoint writes already queued there.
        CompletableFuture.runAsync(() -> store.deleteRun(id), executor).join();
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        recorder.close();
        store.close();
    }
}
