package io.eiscope.app;

import com.google.protobuf.Message;
import io.eiscope.api.v1.ApplyCommandRequest;
import io.eiscope.api.v1.ApplyCommandResponse;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.ControlResponse;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.CreateSimulationResponse;
import io.eiscope.api.v1.DeleteSimulationRequest;
import io.eiscope.api.v1.DeleteSimulationResponse;
import io.eiscope.api.v1.ForkSimulationRequest;
import io.eiscope.api.v1.ForkSimulationResponse;
import io.eiscope.api.v1.GetCatalogueRequest;
import io.eiscope.api.v1.GetCatalogueResponse;
import io.eiscope.api.v1.GetInterventionLogRequest;
import io.eiscope.api.v1.GetInterventionLogResponse;
import io.eiscope.api.v1.GetParametersRequest;
import io.eiscope.api.v1.GetParametersResponse;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.GetSimulationResponse;
import io.eiscope.api.v1.ListSimulationsRequest;
import io.eiscope.api.v1.ListSimulationsResponse;
import io.eiscope.api.v1.SimulationServiceProto;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.api.v1.WatchResponse;
import io.eiscope.engine.observe.ObservableDescriptor;
import io.eiscope.engine.spec.Preset;
import io.eiscope.engine.spec.SimulationConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vertx.grpc.server.Service;
import io.vertx.grpc.server.ServiceBuilder;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * eiscope.v1.SimulationService on the Vert.x gRPC server (native gRPC and gRPC-Web). Handlers
 * run on the event loop and never block it: creation runs on a worker, commands go to the
 * simulation's mailbox and answer when applied.
 */
final class SimulationGrpcService {
    static final ServiceName NAME = ServiceName.create("eiscope.v1.SimulationService");

    private final Vertx vertx;
    private final SimulationRegistry registry;
    private final GetCatalogueResponse catalogue;
    private final StreamLimits limits;
    private final long maxMessageBytes;
    private final RequestMessages messages;

    private final Access access;

    private final ServerMetrics metrics;
    private final Sweeps sweeps;
    private final ClusterRouting routing; // null: a server on its own

    SimulationGrpcService(
            Vertx vertx,
            SimulationRegistry registry,
            StreamLimits limits,
            long maxMessageBytes,
            Access access,
            ServerMetrics metrics,
            Sweeps sweeps,
            ClusterRouting routing) {
        this.vertx = vertx;
        this.routing = routing;
        this.sweeps = sweeps;
        this.metrics = metrics;
        this.access = access;
        this.maxMessageBytes = maxMessageBytes;
        this.messages = new RequestMessages(vertx, maxMessageBytes);
        this.limits = limits;
        this.registry = registry;
        this.catalogue = GetCatalogueResponse.newBuilder()
                .setCatalogue(ProtoMapper.toProto(registry.catalogue()))
                .addAllSweepPresets(SweepPresets.all())
                .build();
    }

    Service build() {
        ServiceBuilder b =
                Service.service(NAME, SimulationServiceProto.getDescriptor().findServiceByName("SimulationService"));
        unary(b, "GetCatalogue", GetCatalogueRequest.getDefaultInstance(), r -> Future.succeededFuture(catalogue));
        unaryAs(b, "CreateSimulation", CreateSimulationRequest.getDefaultInstance(), this::create);
        unary(
                b,
                "GetSimulation",
                GetSimulationRequest.getDefaultInstance(),
                r -> Future.succeededFuture(GetSimulationResponse.newBuilder()
                        .setSimulation(ProtoMapper.toProto(registry.get(r.getId())))
                        .build()));
        unaryAs(
                b,
                "ListSimulations",
                ListSimulationsRequest.getDefaultInstance(),
                (caller, r) -> Future.succeededFuture(list(caller, r)));
        unary(b, "DeleteSimulation", DeleteSimulationRequest.getDefaultInstance(), r -> {
            registry.get(r.getId()); // NOT_FOUND at once
            return vertx.executeBlocking(
                    () -> {
                        registry.delete(r.getId());
                        return DeleteSimulationResponse.getDefaultInstance();
                    },
                    false);
        });
        unary(b, "Control", ControlRequest.getDefaultInstance(), this::control);
        TimeTravelGrpcService timeTravel = new TimeTravelGrpcService(vertx, registry);
        unary(b, "GetParameters", GetParametersRequest.getDefaultInstance(), r -> parameters(r, timeTravel));
        unary(b, "ApplyCommand", ApplyCommandRequest.getDefaultInstance(), this::applyCommand);
        unary(b, "GetInterventionLog", GetInterventionLogRequest.getDefaultInstance(), r -> {
            GetInterventionLogResponse.Builder out = GetInterventionLogResponse.newBuilder();
            registry.get(r.getId())
                    .runner()
                    .interventionLog()
                    .forEach(i -> out.addInterventions(ProtoMapper.toProto(i)));
            return Future.succeededFuture(out.build());
        });
        unaryAs(
                b,
                "ForkSimulation",
                ForkSimulationRequest.getDefaultInstance(),
                (caller, r) -> onContext(
                                r.hasStep()
                                        ? registry.forkAt(r.getId(), r.getStep(), p -> {}, forkOwner(caller, r.getId()))
                                        : registry.fork(r.getId(), forkOwner(caller, r.getId())))
                        .map(e -> ForkSimulationResponse.newBuilder()
                                .setSimulation(ProtoMapper.toProto(e))
                                .build()));
        RecordGrpcService record = new RecordGrpcService(vertx, registry);
        unary(b, "GetHistory", io.eiscope.api.v1.GetHistoryRequest.getDefaultInstance(), record::history);
        unary(b, "GetLatest", io.eiscope.api.v1.GetLatestRequest.getDefaultInstance(), record::latest);
        unary(b, "GetEvents", io.eiscope.api.v1.GetEventsRequest.getDefaultInstance(), record::events);
        unary(b, "UpdateRun", io.eiscope.api.v1.UpdateRunRequest.getDefaultInstance(), record::update);
        unary(
                b,
                "ListCheckpoints",
                io.eiscope.api.v1.ListCheckpointsRequest.getDefaultInstance(),
                record::listCheckpoints);
        unary(
                b,
                "SaveCheckpoint",
                io.eiscope.api.v1.SaveCheckpointRequest.getDefaultInstance(),
                r -> r.hasStep()
                        ? timeTravel.saveAt(r, present -> record.save(present, this::onContext))
                        : record.save(r, this::onContext));
        unary(b, "PinCheckpoint", io.eiscope.api.v1.PinCheckpointRequest.getDefaultInstance(), record::pin);
        unary(b, "GetCheckpoint", io.eiscope.api.v1.GetCheckpointRequest.getDefaultInstance(), record::get);
        unary(b, "Measure", io.eiscope.api.v1.MeasureRequest.getDefaultInstance(), timeTravel::measure);
        ServiceMethod<io.eiscope.api.v1.ReconstructRequest, io.eiscope.api.v1.ReconstructProgress> reconstruct =
                ServiceMethod.server(
                        NAME,
                        "Reconstruct",
                        ProtobufEncoder.encoder(),
                        GrpcMessageDecoder.decoder(io.eiscope.api.v1.ReconstructRequest.getDefaultInstance()));
        b.bind(
                reconstruct,
                req -> timeTravel.reconstruct(
                        req, messages, (authorization, id) -> requireOwner(caller(authorization), id), (r, here) -> {
                            if (ClusterRouting.local(routing, req.headers())) here.run();
                            else routing.stream("Reconstruct", r, req, here);
                        }));
        new SessionService(vertx, registry, limits, this, messages, access).bind(b);
        b.bind(
                ServiceMethod.server(
                        NAME,
                        "Watch",
                        ProtobufEncoder.encoder(),
                        GrpcMessageDecoder.decoder(WatchRequest.getDefaultInstance())),
                this::watch);
        new SweepGrpcService(vertx, sweeps, registry).bind(b, this);
        return b.build();
    }

    private <Req extends Message, Resp extends Message> void unary(
            ServiceBuilder b, String method, Req prototype, Function<Req, Future<Resp>> impl) {
        unaryAs(b, method, prototype, (caller, r) -> impl.apply(r));
    }

    /**
     * Binds a unary method whose implementation also learns who calls. The run a request names
     * (its {@code id}) must belong to the caller (or the caller is an admin): PERMISSION_DENIED otherwise.
     */
    <Req extends Message, Resp extends Message> void unaryAs(
            ServiceBuilder b,
            String method,
            Req prototype,
            java.util.function.BiFunction<Caller, Req, Future<Resp>> impl) {
        ServiceMethod<Req, Resp> m =
                ServiceMethod.server(NAME, method, ProtobufEncoder.encoder(), GrpcMessageDecoder.decoder(prototype));
        com.google.protobuf.Descriptors.FieldDescriptor idField =
                prototype.getDescriptorForType().findFieldByName("id");
        boolean names = idField != null
                && idField.getJavaType() == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.STRING;
        b.bind(m, (GrpcServerRequest<Req, Resp> req) -> {
            long start = System.nanoTime();
            messages.one(req, prototype)
                    .compose(r -> {
                        java.util.function.Supplier<Future<Resp>> here = () -> {
                            try {
                                Caller caller = memberCaller(req.headers());
                                if (caller == null)
                                    caller = caller(req.headers().get("authorization"));
                                if (names) requireOwner(caller, (String) r.getField(idField));
                                return impl.apply(caller, r);
                            } catch (RuntimeException e) {
                                return Future.failedFuture(e);
                            }
                        };
                        return ClusterRouting.local(routing, req.headers())
                                ? here.get()
                                : routing.unary(method, r, req.headers(), here);
                    })
                    .onComplete(ar -> {
                        Throwable failure = ar.failed()
                                ? ar.cause()
                                : ar.result().getSerializedSize() > maxMessageBytes
                                        ? new ApiException(
                                                GrpcStatus.RESOURCE_EXHAUSTED,
                                                "the answer to " + method + " would be "
                                                        + ar.result().getSerializedSize()
                                                        + " bytes, over this server's limit of " + maxMessageBytes
                                                        + " per message: ask for less (fewer names or points, a page)")
                                        : null;
                        if (failure != null) fail(req.response(), failure);
                        else req.response().end(ar.result());
                        metrics.call(
                                method,
                                failure == null ? 0 : ApiException.from(failure).status().code,
                                System.nanoTime() - start);
                    });
        });
    }

    /** Where calls are answered in a cluster; null on a server on its own. */
    ClusterRouting routing() {
        return routing;
    }

    /** Most simulations in one ListSimulations answer. */
    static final int MAX_PAGE_SIZE = 500;

    /**
     * One page of the caller's simulations, oldest first. The page token is the creation time and
     * id of the last one sent, so pages stay consistent while runs are created or deleted.
     */
    private ListSimulationsResponse list(Caller caller, ListSimulationsRequest r) {
        if (r.getPageSize() < 0)
            throw ApiException.invalid("page_size must be >= 0 (0: " + MAX_PAGE_SIZE + "), got " + r.getPageSize());
        int size = r.getPageSize() == 0 ? MAX_PAGE_SIZE : Math.min(r.getPageSize(), MAX_PAGE_SIZE);
        long afterMillis = -1;
        String afterId = "";
        if (!r.getPageToken().isEmpty()) {
            String[] t = r.getPageToken().split("/", 2);
            try {
                afterMillis = Long.parseLong(t[0]);
                afterId = t[1];
            } catch (RuntimeException e) {
                throw ApiException.invalid(
                        "page_token is not one this server gave: pass next_page_token unchanged, or leave it empty");
            }
        }
        ListSimulationsResponse.Builder out = ListSimulationsResponse.newBuilder();
        SimulationRegistry.Entry last = null;
        for (SimulationRegistry.Entry e : registry.list()) {
            if (!caller.owns(e.meta().owner())) continue;
            int order = Long.compare(e.createdUnixMillis(), afterMillis);
            if (order < 0 || (order == 0 && e.runner().id().compareTo(afterId) <= 0)) continue;
            if (out.getSimulationsCount() == size) {
                out.setNextPageToken(
                        last.createdUnixMillis() + "/" + last.runner().id());
                break;
            }
            out.addSimulations(ProtoMapper.toProto(e));
            last = e;
        }
        return out.build();
    }

    /**
     * The sweep owner a cluster member acts for (a run of a sweep made on another member, {@link ClusterSweepRuns}), or
     * null for any other call. Only a call a member routed (with the cluster's secret) may say so.
     */
    private Caller memberCaller(io.vertx.core.MultiMap headers) {
        String owner = headers.get(PeerCalls.ON_BEHALF_OF);
        if (owner == null
                || headers.get("authorization") != null
                || routing == null
                || !routing.routedByMember(headers)) return null;
        return new Caller(owner, Caller.Role.STEER);
    }

    /** Who calls, by the request's authorization header (checked at the door: never null here). */
    Caller caller(String authorization) {
        Caller c = access.caller(authorization, null);
        if (c == null)
            throw new ApiException(
                    GrpcStatus.UNAUTHENTICATED, "this server needs a token: send 'authorization: Bearer <token>'");
        return c;
    }

    /** Fails unless {@code caller} may act on run {@code id} (an empty id is left to the method's own validation). */
    void requireOwner(Caller caller, String id) {
        if (id == null || id.isEmpty() || caller.admin()) return;
        SimulationRegistry.Entry e = registry.get(id);
        if (!caller.owns(e.meta().owner()))
            throw new ApiException(
                    GrpcStatus.PERMISSION_DENIED,
                    "run " + id + " belongs to '" + e.meta().owner() + "', not to '" + caller.owner()
                            + "'; only its owner and admins may use it");
    }

    /** A fork belongs to who forks it (an admin forking keeps the parent's owner). */
    private String forkOwner(Caller caller, String parentId) {
        return caller.admin() ? registry.get(parentId).meta().owner() : caller.owner();
    }

    /** Answers with the status the failure maps to; nothing when the client already reset the call. */
    static void fail(GrpcServerResponse<?, ?> response, Throwable cause) {
        if (cause instanceof io.vertx.core.http.StreamResetException) return;
        ApiException e = ApiException.from(cause);
        try {
            response.status(e.status()).statusMessage(e.getMessage()).end().onFailure(ignored -> {});
        } catch (IllegalStateException alreadyEnded) {
            // the call ended meanwhile (the client cancelled it): nobody to answer
        }
    }

    private <T> Future<T> onContext(CompletableFuture<T> cf) {
        return Future.fromCompletionStage(cf, vertx.getOrCreateContext());
    }

    /** On a worker: decoding initial parameter values (up to a whole message) and building the model block. */
    private Future<CreateSimulationResponse> create(Caller caller, CreateSimulationRequest r) {
        return vertx.executeBlocking(
                        () -> registry.create(
                                toConfig(r), r.getPreset(), ProtoMapper.toPolicy(r.getSpec()), caller.owner()),
                        false)
                .map(e -> CreateSimulationResponse.newBuilder()
                        .setSimulation(ProtoMapper.toProto(e))
                        .build());
    }

    private SimulationConfig toConfig(CreateSimulationRequest r) {
        if (r.getPreset().isEmpty()) {
            if (!r.hasSpec()) throw ApiException.invalid("spec or preset is required");
            return ProtoMapper.toConfig(r.getSpec());
        }
        Preset p = registry.catalogue()
                .preset(r.getPreset())
                .orElseThrow(() -> ApiException.invalid("unknown preset '" + r.getPreset() + "'; one of "
                        + registry.catalogue().presets().stream()
                                .map(Preset::name)
                                .toList()));
        SimulationConfig c = p.config();
        SimulationSpec s = r.getSpec();
        return new SimulationConfig(
                s.getName().isEmpty() ? c.name() : s.getName(),
                c.model(),
                c.learningRule(),
                c.task(),
                r.hasSpec() && s.getSeed() != 0 ? s.getSeed() : c.seed(),
                c.batchSize(),
                c.evalEverySteps(),
                c.stepBudget(),
                ProtoMapper.toInitialParameters(s));
    }

    Future<ControlResponse> control(ControlRequest r) {
        SimulationRegistry.Entry e = registry.get(r.getId());
        CompletableFuture<Long> done = switch (r.getAction()) {
            case CONTROL_ACTION_PLAY -> e.runner().play();
            case CONTROL_ACTION_PAUSE -> e.runner().pause();
            case CONTROL_ACTION_STEP -> e.runner().stepBy(r.getSteps());
            case CONTROL_ACTION_RESET -> e.runner().reset();
            default -> throw ApiException.invalid("action must be PLAY, PAUSE, STEP or RESET, got " + r.getAction());
        };
        return onContext(done)
                .map(step -> ControlResponse.newBuilder()
                        .setSimulation(ProtoMapper.toProto(e))
                        .setEffectiveStep(step)
                        .build());
    }

    /** Validates the command's shape here, the rest at the step boundary; answers when it took effect. */
    Future<ApplyCommandResponse> applyCommand(ApplyCommandRequest r) {
        SimulationRegistry.Entry e = registry.get(r.getId());
        if (!r.hasCommand()) throw ApiException.invalid("command is required");
        var command = ProtoMapper.toCommand(r.getCommand());
        return onContext(e.runner().apply(command))
                .map(step -> ApplyCommandResponse.newBuilder()
                        .setSimulation(ProtoMapper.toProto(e))
                        .setEffectiveStep(step)
                        .build());
    }

    private Future<GetParametersResponse> parameters(GetParametersRequest r, TimeTravelGrpcService timeTravel) {
        if (r.hasStep()) return timeTravel.parameters(r);
        SimulationRegistry.Entry e = registry.get(r.getId());
        TimeTravelGrpcService.checkPooling(r);
        return onContext(e.runner().readParameters(List.copyOf(r.getNamesList()), r.getChangeSinceStart()))
                .map(v -> TimeTravelGrpcService.toResponse(v, r.getMaxRows(), r.getMaxCols()));
    }

    private void watch(GrpcServerRequest<WatchRequest, WatchResponse> req) {
        io.vertx.core.http.HttpServerRequest raw = RawStreams.current(); // while being dispatched
        messages.one(req, WatchRequest.getDefaultInstance()).onComplete(ar -> {
            if (ar.failed()) {
                fail(req.response(), ar.cause());
                return;
            }
            Runnable here = () -> {
                try {
                    subscribe(req, raw, ar.result());
                } catch (RuntimeException e) {
                    fail(req.response(), e);
                }
            };
            if (ClusterRouting.local(routing, req.headers())) here.run();
            else routing.stream("Watch", ar.result(), req, here);
        });
    }

    private void subscribe(
            GrpcServerRequest<WatchRequest, WatchResponse> req,
            io.vertx.core.http.HttpServerRequest raw,
            WatchRequest w) {
        requireOwner(caller(req.headers().get("authorization")), w.getId());
        if (w.getMaxUnreadMessages() != 0)
            throw ApiException.invalid("max_unread_messages is for Session subscriptions, whose client can say what it"
                    + " has read (SessionRequest.read); a Watch call has no way back to the server");
        SimulationRegistry.Entry e = registry.get(w.getId());
        WatchFilter filter = filterFor(e, w);
        GrpcServerResponse<WatchRequest, WatchResponse> response = req.response();
        Subscriber[] holder = new Subscriber[1];
        io.vertx.core.http.HttpConnection connection = req.connection();
        limits.perConnection().open(connection); // from here on, closing the subscriber releases it
        holder[0] = new Subscriber(
                filter,
                FrameWriter.of(response, raw, "Watch of run " + w.getId()),
                vertx.getOrCreateContext(),
                vertx,
                limits.queueFrames(),
                limits.stalledReaderMillis(),
                limits.maxLagMillis(),
                () -> {
                    e.streams().unsubscribe(holder[0]);
                    limits.perConnection().close(connection);
                });
        response.exceptionHandler(t -> holder[0].close());
        req.exceptionHandler(t -> holder[0].close());
        req.errorHandler(err -> holder[0].close()); // cancelled: release at once, not at the next failed write
        response.writeHead();
        if (!w.hasFromStep()) {
            e.streams().subscribe(holder[0]);
            return;
        }
        // History first, then live: hold live frames, mark the end of what is recorded, read it, release.
        Subscriber s = holder[0];
        s.hold();
        java.util.concurrent.atomic.AtomicReference<CompletableFuture<Void>> recorded =
                new java.util.concurrent.atomic.AtomicReference<>();
        SimulationStreams.HistoryCut cut = e.streams()
                .subscribeFromRecord(
                        s, () -> recorded.set(registry.archive().recorder().flush()));
        onContext(recorded.get())
                .compose(v -> vertx.executeBlocking(
                        () -> HistoryFrames.of(
                                registry.archive().store(), e.runner().id(), filter, w.getFromStep(), cut),
                        false))
                .onComplete(ar -> {
                    if (ar.succeeded()) s.release(ar.result());
                    else {
                        s.close();
                        fail(response, ar.cause());
                    }
                });
    }

    /** Validates a watch request against the simulation and the catalogue; the filter it asks for. */
    WatchFilter filterFor(SimulationRegistry.Entry e, WatchRequest w) {
        Set<String> known = new java.util.TreeSet<>();
        registry.catalogue().observables().stream()
                .map(ObservableDescriptor::name)
                .forEach(known::add);
        Set<String> observables = new LinkedHashSet<>(
                w.getObservablesCount() == 0 ? WatchFilter.DEFAULT_OBSERVABLES : w.getObservablesList());
        for (String o : observables) {
            if (!known.contains(o)) throw ApiException.invalid("unknown observable '" + o + "'; one of " + known);
        }
        Set<String> layers = new LinkedHashSet<>(w.getLayersList());
        Set<String> knownLayers = new java.util.TreeSet<>(e.layers());
        knownLayers.addAll(e.effectiveTargets());
        e.parameters().forEach(p -> knownLayers.add(p.name()));
        for (String l : layers) {
            if (!knownLayers.contains(l))
                throw ApiException.invalid("unknown layer or parameter '" + l + "'; one of " + knownLayers);
        }
        if (w.getEverySteps() < 0) throw ApiException.invalid("every_steps must be >= 0, got " + w.getEverySteps());
        if (w.hasFromStep() && w.getFromStep() < 0)
            throw ApiException.invalid("from_step must be >= 0, got " + w.getFromStep());
        if (!(w.getMaxHz() >= 0) || Double.isInfinite(w.getMaxHz()))
            throw ApiException.invalid("max_hz must be a finite number >= 0 (0: no limit), got " + w.getMaxHz());
        // A layer name selects the layer (effective weights) and all of its parameters.
        Set<String> params = new LinkedHashSet<>(layers);
        for (String l : layers) {
            e.parameters().stream()
                    .map(p -> p.name())
                    .filter(n -> n.startsWith(l + "."))
                    .forEach(params::add);
        }
        return new WatchFilter(Set.copyOf(observables), Set.copyOf(params), w.getEverySteps(), w.getMaxHz());
    }
}
