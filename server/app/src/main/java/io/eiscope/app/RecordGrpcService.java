package io.eiscope.app;

import com.google.protobuf.ByteString;
import io.eiscope.api.v1.CheckpointInfo;
import io.eiscope.api.v1.GetCheckpointRequest;
import io.eiscope.api.v1.GetCheckpointResponse;
import io.eiscope.api.v1.GetEventsRequest;
import io.eiscope.api.v1.GetEventsResponse;
import io.eiscope.api.v1.GetHistoryRequest;
import io.eiscope.api.v1.GetHistoryResponse;
import io.eiscope.api.v1.GetLatestRequest;
import io.eiscope.api.v1.GetLatestResponse;
import io.eiscope.api.v1.ListCheckpointsRequest;
import io.eiscope.api.v1.ListCheckpointsResponse;
import io.eiscope.api.v1.NamedTensor;
import io.eiscope.api.v1.PinCheckpointRequest;
import io.eiscope.api.v1.PinCheckpointResponse;
import io.eiscope.api.v1.RecordedEvent;
import io.eiscope.api.v1.SaveCheckpointRequest;
import io.eiscope.api.v1.SaveCheckpointResponse;
import io.eiscope.api.v1.Series;
import io.eiscope.api.v1.UpdateRunRequest;
import io.eiscope.api.v1.UpdateRunResponse;
import io.eiscope.engine.sim.StateDict;
import io.eiscope.store.CheckpointRecord;
import io.eiscope.store.SeriesData;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;

/**
 * The run-record RPCs of eiscope.v1.SimulationService: history, latest values, events,
 * rename/tag/annotate, checkpoints. Store reads and writes are blocking: they run on Vert.x
 * workers, never on the event loop.
 */
final class RecordGrpcService {
    /** Largest number of points GetHistory returns per series when max_points is 0. */
    static final int MAX_POINTS = 1_000_000;

    static final int MAX_TAG_LENGTH = 64;

    private final Vertx vertx;
    private final SimulationRegistry registry;
    private final RunArchive archive;

    RecordGrpcService(Vertx vertx, SimulationRegistry registry) {
        this.vertx = vertx;
        this.registry = registry;
        this.archive = registry.archive();
    }

    private <T> Future<T> blocking(java.util.concurrent.Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }

    Future<GetHistoryResponse> history(GetHistoryRequest r) {
        SimulationRegistry.Entry e = registry.get(r.getId());
        if (r.getFromStep() < 0) throw ApiException.invalid("from_step must be >= 0, got " + r.getFromStep());
        if (r.getToStep() < 0)
            throw ApiException.invalid("to_step must be >= 0 (0: up to the last recorded step), got " + r.getToStep());
        if (r.getToStep() > 0 && r.getToStep() < r.getFromStep())
            throw ApiException.invalid("to_step " + r.getToStep() + " is before from_step " + r.getFromStep());
        if (r.getMaxPoints() < 0)
            throw ApiException.invalid("max_points must be >= 0 (0: every point), got " + r.getMaxPoints());
        if (r.getMaxPoints() > 0 && r.getMaxPoints() < 4)
            throw ApiException.invalid("max_points must be 0 (every point) or at least 4 (a bucket keeps up to 4), got "
                    + r.getMaxPoints());
        int max = r.getMaxPoints() == 0 ? MAX_POINTS : r.getMaxPoints();
        return blocking(() -> {
            archive.recorder().flush().join(); // read your writes: everything published before this call
            GetHistoryResponse.Builder out =
                    GetHistoryResponse.newBuilder().setLastStep(e.meta().recordedStep());
            for (SeriesData s : archive.store()
                    .history(
                            e.runner().id(),
                            Set.copyOf(r.getObservablesList()),
                            Set.copyOf(r.getLayersList()),
                            r.getFromStep(),
                            r.getToStep(),
                            max)) {
                out.addSeries(toProto(s, e.meta().mergedSamples()));
            }
            return out.build();
        });
    }

    static Series toProto(SeriesData s, long merged) {
        ByteBuffer steps = ByteBuffer.allocate(s.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer values = ByteBuffer.allocate(s.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer walls = ByteBuffer.allocate(s.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        steps.asLongBuffer().put(s.steps());
        values.asDoubleBuffer().put(s.values());
        walls.asLongBuffer().put(s.wallNanos());
        return Series.newBuilder()
                .setObservable(s.observable())
                .setLayer(s.layer())
                .setSteps(ByteString.copyFrom(steps.array()))
                .setValues(ByteString.copyFrom(values.array()))
                .setWallTimesUnixNanos(ByteString.copyFrom(walls.array()))
                .setRecordedPoints(s.recordedPoints())
                .setDownsampled(s.downsampled())
                .setMergedSamples(merged)
                .build();
    }

    /** Live values from memory; no store access. */
    Future<GetLatestResponse> latest(GetLatestRequest r) {
        SimulationRegistry.Entry e = registry.get(r.getId());
        GetLatestResponse.Builder out = GetLatestResponse.newBuilder()
                .setStep(e.runner().step())
                .setState(ProtoMapper.toProto(e.runner().state()));
        Set<String> wanted = Set.copyOf(r.getObservablesList());
        e.streams().latestScalars().forEach((key, v) -> {
            String observable = key.contains("@") ? key.substring(0, key.indexOf('@')) : key;
            if (wanted.isEmpty() || wanted.contains(observable)) out.putValues(key, v);
        });
        return Future.succeededFuture(out.build());
    }

    Future<GetEventsResponse> events(GetEventsRequest r) {
        SimulationRegistry.Entry e = registry.get(r.getId());
        if (r.getFromStep() < 0 || r.getToStep() < 0) throw ApiException.invalid("from_step and to_step must be >= 0");
        return blocking(() -> {
            archive.recorder().flush().join();
            GetEventsResponse.Builder out = GetEventsResponse.newBuilder();
            for (var ev : archive.store().events(e.runner().id(), r.getFromStep(), r.getToStep())) {
                out.addEvents(RecordedEvent.newBuilder()
                        .setStep(ev.step())
                        .setWallTimeUnixNanos(ev.wallNanos())
                        .setKind(ev.kind())
                        .setState(ProtoMapper.toProto(io.eiscope.engine.sim.SimulationState.valueOf(ev.state())))
                        .setMessage(ev.message()));
            }
            return out.build();
        });
    }

    Future<UpdateRunResponse> update(UpdateRunRequest r) {
        SimulationRegistry.Entry e = registry.get(r.getId());
        String name = r.hasName() ? r.getName() : null;
        if (name != null && name.length() > ProtoMapper.MAX_NAME_LENGTH)
            throw ApiException.invalid(
                    "name must be at most " + ProtoMapper.MAX_NAME_LENGTH + " characters, got " + name.length());
        List<String> tags = null;
        if (r.getTagsCount() > 0 || r.getClearTags()) {
            if (r.getTagsCount() > 0 && r.getClearTags())
                throw ApiException.invalid("give tags or clear_tags, not both");
            tags = List.copyOf(new java.util.LinkedHashSet<>(r.getTagsList()));
            for (String t : tags) {
                if (t.isEmpty() || t.length() > MAX_TAG_LENGTH || t.contains(","))
                    throw ApiException.invalid(
                            "each tag must be 1.." + MAX_TAG_LENGTH + " characters without commas, got '" + t + "'");
            }
        }
        String notes = r.hasNotes() ? r.getNotes() : null;
        if (notes != null && notes.length() > 100_000)
            throw ApiException.invalid("notes must be at most 100,000 characters");
        List<String> newTags = tags;
        return blocking(() -> {
            archive.store().updateRun(e.runner().id(), name, newTags, notes);
            e.meta().update(name, newTags, notes);
            return UpdateRunResponse.newBuilder()
                    .setSimulation(ProtoMapper.toProto(e))
                    .build();
        });
    }

    Future<ListCheckpointsResponse> listCheckpoints(ListCheckpointsRequest r) {
        SimulationRegistry.Entry e = registry.get(r.getId());
        return blocking(() -> {
            ListCheckpointsResponse.Builder out = ListCheckpointsResponse.newBuilder();
            archive.store().checkpoints(e.runner().id()).forEach(c -> out.addCheckpoints(toProto(c)));
            return out.build();
        });
    }

    static CheckpointInfo toProto(CheckpointRecord c) {
        return CheckpointInfo.newBuilder()
                .setStep(c.step())
                .setCreatedUnixMillis(c.createdMillis())
                .setSizeBytes(c.sizeBytes())
                .setSha256(c.sha256())
                .setPinned(c.pinned())
                .setReason(c.reason())
                .build();
    }

    Future<SaveCheckpointResponse> save(
            SaveCheckpointRequest r,
            java.util.function.Function<java.util.concurrent.CompletableFuture<Long>, Future<Long>> onContext) {
        SimulationRegistry.Entry e = registry.get(r.getId());
        return onContext
                .apply(e.runner().checkpointNow("request", r.getPin()))
                .compose(step -> blocking(() -> {
                    if (r.getPin()) archive.store().pinCheckpoint(e.runner().id(), step, true);
                    return SaveCheckpointResponse.newBuilder()
                            .setCheckpoint(toProto(find(e, step)))
                            .build();
                }));
    }

    Future<PinCheckpointResponse> pin(PinCheckpointRequest r) {
        SimulationRegistry.Entry e = registry.get(r.getId());
        return blocking(() -> {
            if (!archive.store().pinCheckpoint(e.runner().id(), r.getStep(), r.getPinned()))
                throw noCheckpoint(e, r.getStep());
            return PinCheckpointResponse.newBuilder()
                    .setCheckpoint(toProto(find(e, r.getStep())))
                    .build();
        });
    }

    Future<GetCheckpointResponse> get(GetCheckpointRequest r) {
        SimulationRegistry.Entry e = registry.get(r.getId());
        if (!r.getLatest() && r.getStep() < 0)
            throw ApiException.invalid("step must be a checkpoint's step (ListCheckpoints), or set latest");
        return blocking(() -> {
            List<CheckpointRecord> all = archive.store().checkpoints(e.runner().id());
            if (r.getLatest() && all.isEmpty())
                throw new ApiException(
                        GrpcStatus.NOT_FOUND,
                        "run " + e.runner().id() + " has no checkpoint yet; SaveCheckpoint takes one");
            CheckpointRecord c = r.getLatest() ? all.get(all.size() - 1) : find(e, r.getStep());
            StateDict state;
            try {
                state = archive.checkpoints().read(c);
            } catch (IOException ex) {
                throw new ApiException(GrpcStatus.DATA_LOSS, ex.getMessage());
            }
            GetCheckpointResponse.Builder out =
                    GetCheckpointResponse.newBuilder().setCheckpoint(toProto(c));
            Set<String> names = Set.copyOf(r.getNamesList());
            for (StateDict.Array a : state.arrays()) {
                if (!a.name().startsWith("param/")) continue;
                String name = a.name().substring("param/".length());
                if (names.isEmpty() ? r.getIncludeNpz() : !names.contains(name))
                    continue; // the .npz alone unless names are asked for
                out.addParameters(NamedTensor.newBuilder()
                        .setName(name)
                        .setTensor(ProtoMapper.toProto(
                                new io.eiscope.engine.observe.Observation.Tensor(a.shape(), (float[]) a.data()))));
            }
            for (String n : names) {
                if (!state.has("param/" + n))
                    throw ApiException.invalid("unknown parameter '" + n + "' in the checkpoint at step " + c.step());
            }
            if (r.getIncludeNpz()) {
                try {
                    out.setNpz(ByteString.copyFrom(archive.checkpoints().bytes(c)));
                } catch (IOException ex) {
                    throw new ApiException(GrpcStatus.DATA_LOSS, ex.getMessage());
                }
            }
            return out.build();
        });
    }

    private CheckpointRecord find(SimulationRegistry.Entry e, long step) {
        return archive.store().checkpoints(e.runner().id()).stream()
                .filter(c -> c.step() == step)
                .findFirst()
                .orElseThrow(() -> noCheckpoint(e, step));
    }

    private ApiException noCheckpoint(SimulationRegistry.Entry e, long step) {
        List<Long> steps = archive.store().checkpoints(e.runner().id()).stream()
                .map(CheckpointRecord::step)
                .toList();
        return new ApiException(
                GrpcStatus.NOT_FOUND,
                "run " + e.runner().id() + " has no checkpoint at step " + step + "; it has " + steps);
    }
}
