package io.eiscope.client;

import io.eiscope.api.v1.CheckpointInfo;
import io.eiscope.api.v1.ForkSimulationRequest;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.GetParametersRequest;
import io.eiscope.api.v1.MeasureRequest;
import io.eiscope.api.v1.ReconstructProgress;
import io.eiscope.api.v1.ReconstructRequest;
import io.eiscope.api.v1.SaveCheckpointRequest;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationServiceGrpc.SimulationServiceBlockingStub;
import io.eiscope.client.EiscopeClient.FloatTensor;
import io.grpc.Context;
import io.grpc.Status;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The time-travel calls of {@link EiscopeClient}: a run's exact state at any step it passed. The
 * server rebuilds a past step from the nearest checkpoint at or before it and replays the
 * intervention log, bit for bit, on its own threads while the run goes on undisturbed, and caches
 * the result, so further calls at that step answer at once. A step ahead of the run fails with
 * OUT_OF_RANGE ("step K is ahead of run ..., which is at step N"), a negative one with
 * INVALID_ARGUMENT; errors surface as {@link io.grpc.StatusRuntimeException}. Thread-safe.
 */
abstract sealed class TimeTravelCalls extends RunRecordCalls permits SweepCalls {
    private final SimulationServiceBlockingStub stub;

    TimeTravelCalls(SimulationServiceBlockingStub stub) {
        super(stub);
        this.stub = stub;
    }

    /**
     * The values the parameters held at a past {@code step} (after the commands that took effect
     * there), by name as {@code parameters(id, names)} returns the current ones: none named, all
     * of them. For a step far from any checkpoint, {@link #reconstruct} first shows progress.
     *
     * @param id the run's id
     * @param step a step the run has passed (0 &le; step &le; its current step)
     * @param names parameter names; none: all
     * @return tensors by name, in the server's order
     */
    public Map<String, FloatTensor> parametersAt(String id, long step, String... names) {
        return tensors(stub.getParameters(GetParametersRequest.newBuilder()
                        .setId(id)
                        .setStep(step)
                        .addAllNames(List.of(names))
                        .build())
                .getParametersList());
    }

    /**
     * A paused copy of the simulation in the state it held at a past {@code step}, with its log up
     * to there; its view names the parent and {@code fork_step} = {@code step}.
     *
     * @param id the run's id
     * @param step a step the run has passed (0 &le; step &le; its current step)
     * @return the fork's view, PAUSED at {@code step}
     */
    public Simulation fork(String id, long step) {
        return stub.forkSimulation(ForkSimulationRequest.newBuilder()
                        .setId(id)
                        .setStep(step)
                        .build())
                .getSimulation();
    }

    /**
     * Per-layer observables measured once, now (at the run's next step boundary), as the frames
     * {@code watch} delivers for them: one per (observable, layer), in the server's order.
     *
     * @param id the run's id
     * @return the frames, each with the step measured
     * @param observables at least one per-layer observable of the catalogue ("weights",
     *     "weight_histogram", "singular_values", "eigenvalues", "spectral_radius", "nse",
     *     "activation_mean", "hidden_states", "kernel_alignment", ...); network-wide scalars such
     *     as "loss" are refused with INVALID_ARGUMENT ({@link #history} has them at every step)
     * @param layers layers or parameters ("layer0" also picks "layer0.W" and "layer0.b"); empty: all
     */
    public List<Frame> measure(String id, List<String> observables, List<String> layers) {
        return stub.measure(MeasureRequest.newBuilder()
                        .setId(id)
                        .addAllObservables(observables)
                        .addAllLayers(layers)
                        .build())
                .getFramesList();
    }

    /**
     * Like {@link #measure}, in the state the run held at a past {@code step}; every frame carries that step.
     *
     * @param id the run's id
     * @param step a step the run has passed (0 &le; step &le; its current step)
     * @param observables per-layer observables, as for {@link #measure}
     * @param layers layers or parameters; empty: all
     * @return the frames, each with {@code step}
     */
    public List<Frame> measureAt(String id, long step, List<String> observables, List<String> layers) {
        return stub.measure(MeasureRequest.newBuilder()
                        .setId(id)
                        .setStep(step)
                        .addAllObservables(observables)
                        .addAllLayers(layers)
                        .build())
                .getFramesList();
    }

    /**
     * Rebuilds the state the run held at a past {@code step}, pinned in a checkpoint (reason "time
     * travel"), so that later time travel near it replays less; a checkpoint already at that step
     * is pinned, not rewritten. Returns once it is on disk.
     *
     * @param id the run's id
     * @param step a step the run has passed (0 &le; step &lt; its current step)
     * @return the pinned checkpoint
     */
    public CheckpointInfo saveCheckpointAt(String id, long step) {
        return stub.saveCheckpoint(SaveCheckpointRequest.newBuilder()
                        .setId(id)
                        .setStep(step)
                        .setPin(true)
                        .build())
                .getCheckpoint();
    }

    /**
     * {@link #reconstruct(String, long, Consumer)} without watching the progress.
     *
     * @param id the run's id
     * @param step a step the run has passed (0 &le; step &le; its current step)
     * @return the last progress message (done)
     */
    public ReconstructProgress reconstruct(String id, long step) {
        return reconstruct(id, step, p -> {});
    }

    /**
     * Rebuilds the run's state at a past {@code step}, blocking, and returns the last progress
     * message (done). The replay starts from the nearest checkpoint at or before it, or from a
     * cached reconstruction nearer to it ({@code source} "checkpoint", "cache", "start", or "live"
     * when the run is there now). {@code onProgress} gets each message on the calling thread, at
     * most about ten a second, the last one done; if it throws, the call is cancelled and the
     * exception propagates.
     *
     * @param id the run's id
     * @param step a step the run has passed (0 &le; step &le; its current step)
     * @param onProgress called with each progress message, on the calling thread
     * @return the last progress message (done)
     * @throws io.grpc.StatusRuntimeException UNKNOWN if the stream ended before a done message
     */
    public ReconstructProgress reconstruct(String id, long step, Consumer<ReconstructProgress> onProgress) {
        Context.CancellableContext ctx = Context.current().withCancellation();
        try {
            return ctx.call(() -> {
                ReconstructProgress last = null;
                for (Iterator<ReconstructProgress> it = stub.reconstruct(ReconstructRequest.newBuilder()
                                .setId(id)
                                .setStep(step)
                                .build());
                        it.hasNext(); ) {
                    last = it.next();
                    onProgress.accept(last);
                }
                if (last == null || !last.getDone())
                    throw Status.UNKNOWN
                            .withDescription(
                                    "the reconstruction of step " + step + " of " + id + " ended before it was done")
                            .asRuntimeException();
                return last;
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // ctx.call declares Exception; the body throws none checked
        } finally {
            ctx.cancel(null); // a no-op once the stream ended; stops the server if onProgress threw
        }
    }
}
