package io.eiscope.app;

import io.eiscope.api.v1.GetParametersRequest;
import io.eiscope.api.v1.GetParametersResponse;
import io.eiscope.api.v1.MeasureRequest;
import io.eiscope.api.v1.MeasureResponse;
import io.eiscope.api.v1.NamedTensor;
import io.eiscope.api.v1.ReconstructProgress;
import io.eiscope.api.v1.ReconstructRequest;
import io.eiscope.api.v1.SaveCheckpointRequest;
import io.eiscope.api.v1.SaveCheckpointResponse;
import io.eiscope.engine.observe.ObservableDescriptor;
import io.eiscope.engine.observe.Observation;
import io.eiscope.engine.sim.SimulationRunner;
import io.eiscope.store.CheckpointRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The time-travel RPCs: GetParameters, Measure and SaveCheckpoint at a past step, and
 * Reconstruct with its progress. The present is read from the live run at its next step
 * boundary; the past is rebuilt by {@link TimeTravel} on reconstruction threads. Handlers run on
 * the event loop and never block it.
 */
final class TimeTravelGrpcService {
    private final Vertx vertx;
    private final SimulationRegistry registry;
    private final TimeTravel timeTravel;

    TimeTravelGrpcService(Vertx vertx, SimulationRegistry registry) {
        this.vertx = vertx;
        this.registry = registry;
        this.timeTravel = registry.timeTravel();
    }

    private <T> Future<T> onContext(CompletableFuture<T> cf) {
        return Future.fromCompletionStage(cf, vertx.getOrCreateContext());
    }

    /** Values at {@code r.step} (set): the live run's when it is there now, else rebuilt. */
    Future<GetParametersResponse> parameters(GetParametersRequest r) {
        SimulationRegistry.Entry e = registry.get(r.getId());
        List<String> names = List.copyOf(r.getNamesList());
        Set<String> known = new TreeSet<>();
        e.parameters().forEach(p -> known.add(p.name()));
        known.addAll(e.effectiveTargets());
        for (String n : names) {
            if (!known.contains(n))
                throw ApiException.invalid("unknown parameter or effective matrix '" + n + "'; one of " + known);
        }
        long step = r.getStep();
        boolean change = r.getChangeSinceStart();
        checkPooling(r);
        Future<SimulationRunner.ParameterValues> values = TimeTravel.isPresent(e, step)
                ? onContext(e.runner().readParameters(names, change))
                        .compose(v -> v.step() == step ? Future.succeededFuture(v) : past(e, step, names, change))
                : past(e, step, names, change);
        return values.map(v -> toResponse(v, r.getMaxRows(), r.getMaxCols()));
    }

    private Future<SimulationRunner.ParameterValues> past(
            SimulationRegistry.Entry e, long step, List<String> names, boolean change) {
        return onContext(timeTravel.at(
                e, step, p -> {}, new AtomicBoolean(), at -> at.state().parameters(names, change)));
    }

    /** Fails unless max_rows and max_cols are >= 0. */
    static void checkPooling(GetParametersRequest r) {
        if (r.getMaxRows() < 0)
            throw ApiException.invalid("max_rows must be >= 0 (0: all rows), got " + r.getMaxRows());
        if (r.getMaxCols() < 0)
            throw ApiException.invalid("max_cols must be >= 0 (0: all columns), got " + r.getMaxCols());
    }

    /** The response, each parameter pooled to at most {@code maxRows} × {@code maxCols} (0: no limit) for a heatmap. */
    static GetParametersResponse toResponse(SimulationRunner.ParameterValues v, int maxRows, int maxCols) {
        GetParametersResponse.Builder out = GetParametersResponse.newBuilder().setStep(v.step());
        for (int i = 0; i < v.names().size(); i++) {
            io.eiscope.engine.observe.Observation.Tensor t = v.values().get(i);
            NamedTensor.Builder named =
                    NamedTensor.newBuilder().setName(v.names().get(i));
            int rows = t.shape().length == 2 ? t.shape()[0] : 1,
                    cols = t.shape().length == 2 ? t.shape()[1] : t.data().length;
            int r = io.eiscope.engine.tensor.MagnitudePooling.pooled(rows, maxRows),
                    c = io.eiscope.engine.tensor.MagnitudePooling.pooled(cols, maxCols);
            if (t.shape().length <= 2 && (r != rows || c != cols)) {
                float[] pooled = io.eiscope.engine.tensor.MagnitudePooling.pool(t.data(), rows, cols, maxRows, maxCols);
                int[] shape = t.shape().length == 2 ? new int[] {r, c} : new int[] {c};
                t = new io.eiscope.engine.observe.Observation.Tensor(shape, pooled);
                for (int d : v.values().get(i).shape()) named.addFullShape(d);
            }
            out.addParameters(named.setTensor(ProtoMapper.toProto(t)));
        }
        return out.build();
    }

    /** Per-layer observables once: now (at the run's next boundary) or at a past step. */
    Future<MeasureResponse> measure(MeasureRequest r) {
        SimulationRegistry.Entry e = registry.get(r.getId());
        List<String> observables = List.copyOf(new java.util.LinkedHashSet<>(r.getObservablesList()));
        List<String> layers = List.copyOf(r.getLayersList());
        validate(e, observables, layers);
        if (!r.hasStep()) return now(e, observables, layers);
        long step = r.getStep();
        if (TimeTravel.isPresent(e, step)) {
            return now(e, observables, layers)
                    .compose(m -> m.getStep() == step
                            ? Future.succeededFuture(m)
                            : pastMeasure(e, step, observables, layers));
        }
        return pastMeasure(e, step, observables, layers);
    }

    private Future<MeasureResponse> now(SimulationRegistry.Entry e, List<String> observables, List<String> layers) {
        // Copies are taken on the run's thread; deferred computations (kernel alignment) run here, on a worker.
        return onContext(e.runner().measure(observables, layers))
                .compose(prepared -> vertx.executeBlocking(
                        () -> {
                            List<Observation> out = new ArrayList<>();
                            for (Supplier<Observation> m : prepared) {
                                Observation o = m.get();
                                if (o != null) out.add(o);
                            }
                            return out;
                        },
                        false))
                .map(obs -> response(
                        e.runner().id(),
                        obs.isEmpty() ? e.runner().step() : obs.get(0).step(),
                        obs));
    }

    private Future<MeasureResponse> pastMeasure(
            SimulationRegistry.Entry e, long step, List<String> observables, List<String> layers) {
        return onContext(timeTravel.at(
                        e,
                        step,
                        p -> {},
                        new AtomicBoolean(),
                        at -> at.state().measure(observables, layers, at.wallNanos())))
                .map(obs -> response(e.runner().id(), step, obs));
    }

    private static MeasureResponse response(String id, long step, List<Observation> observations) {
        MeasureResponse.Builder out = MeasureResponse.newBuilder().setStep(step);
        observations.forEach(o -> out.addFrames(ProtoMapper.toFrame(id, o)));
        return out.build();
    }

    private void validate(SimulationRegistry.Entry e, List<String> observables, List<String> layers) {
        Set<String> measured = new TreeSet<>();
        registry.catalogue().observables().stream()
                .filter(ObservableDescriptor::perLayer)
                .map(ObservableDescriptor::name)
                .forEach(measured::add);
        if (observables.isEmpty()) throw ApiException.invalid("observables: name at least one of " + measured);
        for (String o : observables) {
            if (!measured.contains(o)) {
                boolean scalar = registry.catalogue().observables().stream()
                        .anyMatch(d -> d.name().equals(o));
                throw ApiException.invalid("observable '" + o + "' "
                        + (scalar
                                ? "is network-wide and recorded every step: GetHistory gives it at any step"
                                : "is not in the catalogue")
                        + "; Measure takes per-layer observables: " + measured);
            }
        }
        Set<String> known = new TreeSet<>(e.layers());
        known.addAll(e.effectiveTargets());
        e.parameters().forEach(p -> known.add(p.name()));
        for (String l : layers) {
            if (!known.contains(l))
                throw ApiException.invalid("unknown layer or parameter '" + l + "'; one of " + known);
        }
    }

    /** A checkpoint at a past step: pins the one there, or rebuilds the state and writes it pinned. */
    Future<SaveCheckpointResponse> saveAt(
            SaveCheckpointRequest r,
            java.util.function.Function<SaveCheckpointRequest, Future<SaveCheckpointResponse>> present) {
        SimulationRegistry.Entry e = registry.get(r.getId());
        long step = r.getStep();
        if (TimeTravel.isPresent(e, step))
            return present.apply(r.toBuilder().setPin(true).build());
        String id = e.runner().id();
        RunArchive archive = registry.archive();
        return vertx.executeBlocking(() -> archive.store().pinCheckpoint(id, step, true), false)
                .compose(pinned -> {
                    if (pinned)
                        return vertx.executeBlocking(
                                () -> archive.store().checkpoints(id).stream()
                                        .filter(c -> c.step() == step)
                                        .findFirst()
                                        .orElseThrow(() -> new ApiException(
                                                GrpcStatus.ABORTED,
                                                "the checkpoint at step " + step + " went away; ask again")),
                                false);
                    long generation = archive.generationOf(id);
                    long bound = (e.meta().policy() != null ? e.meta().policy() : archive.policy()).everySteps();
                    CompletableFuture<CheckpointRecord> written = timeTravel
                            .at(
                                    e,
                                    step,
                                    p -> {},
                                    new AtomicBoolean(),
                                    at -> new Captured(
                                            at.state().checkpointState(),
                                            at.log().size()))
                            .thenCompose(c -> archive.write(
                                    id, step, c.logLength(), "time travel", true, c.state(), bound, generation));
                    return onContext(written).map(c -> {
                        if (c == null)
                            throw new ApiException(
                                    GrpcStatus.ABORTED,
                                    "run " + id + " was reset or deleted meanwhile; nothing was saved");
                        return c;
                    });
                })
                .map(c -> SaveCheckpointResponse.newBuilder()
                        .setCheckpoint(RecordGrpcService.toProto(c))
                        .build());
    }

    /** A past state captured for a checkpoint, with the number of log entries it has applied. */
    private record Captured(io.eiscope.engine.sim.StateDict state, int logLength) {}

    /** Reconstruct: progress messages (at most ten a second, only while the client keeps up), then one with done set. */
    void reconstruct(
            GrpcServerRequest<ReconstructRequest, ReconstructProgress> req,
            RequestMessages messages,
            java.util.function.BiConsumer<String, String> requireOwner,
            java.util.function.BiConsumer<ReconstructRequest, Runnable> route) {
        messages.one(req, ReconstructRequest.getDefaultInstance()).onComplete(ar -> {
            GrpcServerResponse<ReconstructRequest, ReconstructProgress> response = req.response();
            if (ar.failed()) {
                SimulationGrpcService.fail(response, ar.cause());
                return;
            }
            route.accept(ar.result(), () -> {
                try {
                    requireOwner.accept(
                            req.headers().get("authorization"), ar.result().getId());
                    start(ar.result(), response, req);
                } catch (RuntimeException ex) {
                    SimulationGrpcService.fail(response, ex);
                }
            });
        });
    }

    private void start(
            ReconstructRequest r,
            GrpcServerResponse<ReconstructRequest, ReconstructProgress> response,
            GrpcServerRequest<ReconstructRequest, ReconstructProgress> req) {
        SimulationRegistry.Entry e = registry.get(r.getId());
        long step = r.getStep();
        if (TimeTravel.isPresent(e, step)) {
            response.end(ReconstructProgress.newBuilder()
                    .setStep(step)
                    .setFromStep(step)
                    .setSource("live")
                    .setDone(true)
                    .build());
            return;
        }
        Context context = vertx.getOrCreateContext();
        AtomicBoolean cancelled = new AtomicBoolean();
        req.errorHandler(err -> cancelled.set(true));
        req.exceptionHandler(err -> cancelled.set(true));
        response.exceptionHandler(err -> cancelled.set(true));
        java.util.concurrent.atomic.AtomicReference<ReconstructProgress> last =
                new java.util.concurrent.atomic.AtomicReference<>();
        boolean[] ended = {false}; // event loop only
        CompletableFuture<Void> done = timeTravel.at(
                e,
                step,
                p -> {
                    if (p.done()) {
                        last.set(toProto(p)); // written when the future completes
                        return;
                    }
                    context.runOnContext(v -> {
                        if (!ended[0] && !cancelled.get() && !response.writeQueueFull()) response.write(toProto(p));
                    });
                },
                cancelled,
                at -> null);
        // Through the same queue as the progress, so that the end comes after every progress message.
        var unused = done.whenComplete((v, err) -> context.runOnContext(ignored -> {
            ended[0] = true;
            if (cancelled.get()) return;
            if (err == null) response.end(last.get());
            else SimulationGrpcService.fail(response, err);
        }));
    }

    private static ReconstructProgress toProto(TimeTravel.Progress p) {
        return ReconstructProgress.newBuilder()
                .setStep(p.step())
                .setFromStep(p.fromStep())
                .setSource(p.source())
                .setReplayedSteps(p.replayed())
                .setTotalSteps(p.total())
                .setDone(p.done())
                .build();
    }
}
