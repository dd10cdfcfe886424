package io.eiscope.client;

import com.google.protobuf.ByteString;
import io.eiscope.api.v1.ApplyCommandRequest;
import io.eiscope.api.v1.Catalogue;
import io.eiscope.api.v1.Command;
import io.eiscope.api.v1.ControlAction;
import io.eiscope.api.v1.ControlRequest;
import io.eiscope.api.v1.CreateSimulationRequest;
import io.eiscope.api.v1.DeleteSimulationRequest;
import io.eiscope.api.v1.ForkSimulationRequest;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.GetCatalogueRequest;
import io.eiscope.api.v1.GetInterventionLogRequest;
import io.eiscope.api.v1.GetParametersRequest;
import io.eiscope.api.v1.GetSimulationRequest;
import io.eiscope.api.v1.Intervention;
import io.eiscope.api.v1.ListSimulationsRequest;
import io.eiscope.api.v1.SessionRequest;
import io.eiscope.api.v1.SessionResponse;
import io.eiscope.api.v1.Simulation;
import io.eiscope.api.v1.SimulationServiceGrpc;
import io.eiscope.api.v1.SimulationSpec;
import io.eiscope.api.v1.Tensor;
import io.eiscope.api.v1.WatchRequest;
import io.eiscope.api.v1.WatchResponse;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A thin facade over the generated eiscope stubs. Takes a plain {@link Channel} (so tests and
 * applications choose transport and security), or {@link #connect} opens one: plaintext, or TLS
 * with a bearer token as {@link ConnectOptions} say. Errors surface as
 * {@link io.grpc.StatusRuntimeException} with the server's message (UNAUTHENTICATED: no token or
 * an unknown one; PERMISSION_DENIED: a read-only token changing a run, or another owner's run).
 * The run record's calls (history, latest values, events, tags, checkpoints) come from
 * {@link RunRecordCalls}; those that reach past steps (parametersAt, fork at a step, measure,
 * reconstruct, saveCheckpointAt) from {@link TimeTravelCalls}; sweeps from {@link SweepCalls}. Thread-safe.
 */
public final class EiscopeClient extends SweepCalls implements AutoCloseable {
    /** Largest message accepted from the server (weights of large layers). */
    public static final int MAX_INBOUND_MESSAGE_BYTES = 64 * 1024 * 1024;

    private final SimulationServiceGrpc.SimulationServiceBlockingStub stub;
    private final SimulationServiceGrpc.SimulationServiceStub async;
    /** Live watches' stub: {@code stub} unless {@link ConnectOptions#withLiveWindow} opened a channel for them. */
    private final SimulationServiceGrpc.SimulationServiceBlockingStub live;
    /** The same channel's async stub, for live watches as Session subscriptions. */
    private final SimulationServiceGrpc.SimulationServiceStub liveAsync;
    /** {@link ConnectOptions#withLiveUnreadMessages}: 0, live watches are Watch calls. */
    private final int liveUnread;

    private final ManagedChannel owned;
    private final ManagedChannel ownedLive;

    /**
     * A client on a channel of the caller's, sending no token; closing the client leaves the
     * channel open.
     *
     * @param channel a channel to the server, e.g. {@code ManagedChannelBuilder.forAddress(host, port).usePlaintext().build()}
     */
    public EiscopeClient(Channel channel) {
        this(channel, (ManagedChannel) null);
    }

    /**
     * A client on {@code channel} sending {@code authorization: Bearer <token>} with every call (none when null).
     *
     * @param channel a channel to the server; closing the client leaves it open
     * @param token the bearer token, or null for none
     */
    public EiscopeClient(Channel channel, String token) {
        this(Connection.withToken(channel, token), (ManagedChannel) null);
    }

    private EiscopeClient(Channel channel, ManagedChannel owned) {
        this(channel, owned, null, null, 0);
    }

    /** {@code liveChannel}: where live watches go (null: {@code channel}); {@code owned*}: what {@link #close} shuts down. */
    private EiscopeClient(
            Channel channel, ManagedChannel owned, Channel liveChannel, ManagedChannel ownedLive, int liveUnread) {
        this(blocking(channel), channel, owned, liveChannel, ownedLive, liveUnread);
    }

    private EiscopeClient(
            SimulationServiceGrpc.SimulationServiceBlockingStub stub,
            Channel channel,
            ManagedChannel owned,
            Channel liveChannel,
            ManagedChannel ownedLive,
            int liveUnread) {
        super(stub);
        this.stub = stub;
        this.async = SimulationServiceGrpc.newStub(channel).withMaxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES);
        this.owned = owned;
        this.live = liveChannel == null ? stub : blocking(liveChannel);
        this.liveAsync = liveChannel == null
                ? async
                : SimulationServiceGrpc.newStub(liveChannel).withMaxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES);
        this.liveUnread = liveUnread;
        this.ownedLive = ownedLive;
    }

    private static SimulationServiceGrpc.SimulationServiceBlockingStub blocking(Channel channel) {
        return SimulationServiceGrpc.newBlockingStub(channel).withMaxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES);
    }

    /**
     * A client on a new plaintext channel to {@code host:port}, with the token in $EISCOPE_TOKEN if set; {@link #close} closes it.
     *
     * @param host the server's host name or address
     * @param port its port
     * @return the client
     */
    public static EiscopeClient connect(String host, int port) {
        return connect(host, port, ConnectOptions.defaults());
    }

    /**
     * A client on a new channel to {@code host:port}, plaintext or TLS, with or without a token,
     * as {@code options} say; {@link #close} closes it. A certificate TLS does not trust fails
     * every call with UNAVAILABLE saying so.
     *
     * @param host the server's host name or address
     * @param port its port
     * @param options plaintext or TLS, trusted certificates, token
     * @return the client
     * @throws IllegalArgumentException when the trusted certificates cannot be read
     */
    public static EiscopeClient connect(String host, int port, ConnectOptions options) {
        ManagedChannel ch = Connection.open(host, port, options, MAX_INBOUND_MESSAGE_BYTES);
        ManagedChannel live = options.liveWindowBytes() == 0
                ? null
                : Connection.openLive(host, port, options, MAX_INBOUND_MESSAGE_BYTES);
        return new EiscopeClient(
                Connection.forCalls(ch, options),
                ch,
                live == null ? null : Connection.forCalls(live, options),
                live,
                options.liveUnreadMessages());
    }

    /**
     * The server's catalogue: models, learning rules, tasks, initialisations, observables and
     * presets, with every parameter's type, range, default and doc.
     *
     * @return the catalogue
     */
    public Catalogue catalogue() {
        return stub.getCatalogue(GetCatalogueRequest.getDefaultInstance()).getCatalogue();
    }

    /**
     * Creates a simulation, PAUSED at step 0, from a spec; the server validates it and answers
     * INVALID_ARGUMENT naming the field to fix.
     *
     * @param spec model, learning rule and task by catalogue kind with their parameters (see
     *     {@link Commands#value}), seed, batch size and the rest
     * @return the new simulation's view
     */
    public Simulation create(SimulationSpec spec) {
        return stub.createSimulation(
                        CreateSimulationRequest.newBuilder().setSpec(spec).build())
                .getSimulation();
    }

    /**
     * Creates a simulation whose parameters named in {@code initialParameters} start from the
     * given values (e.g. {@code layer0.W}, a connectivity matrix from a connectome, shape
     * [n_out, n_in]) instead of the model's own initialisation; reset returns to them and forks
     * keep them. The server checks each against the model (name, exact shape, finite values,
     * >= 0 where sign-constrained) and answers INVALID_ARGUMENT naming the entry. The request must
     * fit the server's largest message (64 MiB by default).
     *
     * @param spec the spec, as for {@link #create(SimulationSpec)}
     * @param initialParameters values by parameter name
     * @return the new simulation's view
     */
    public Simulation create(SimulationSpec spec, Map<String, FloatTensor> initialParameters) {
        SimulationSpec.Builder b = spec.toBuilder();
        initialParameters.forEach((name, t) -> b.putInitialParameters(name, t.toProto()));
        return create(b.build());
    }

    /**
     * Creates a simulation, PAUSED at step 0, from a named preset of the catalogue (model, rule,
     * task, seed and batch size as the preset says).
     *
     * @param preset a preset's name in the catalogue, e.g. "mlp-fashion-mnist"
     * @return the new simulation's view
     * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT for an unknown preset, naming those there are
     */
    public Simulation createFromPreset(String preset) {
        return stub.createSimulation(
                        CreateSimulationRequest.newBuilder().setPreset(preset).build())
                .getSimulation();
    }

    /**
     * Creates a simulation from a preset with some of its fields overridden by {@code overrides}:
     * a non-empty name, a non-zero seed, initial parameter values (see
     * {@link #create(SimulationSpec, Map)}) and a checkpoint policy; its model, learning rule and
     * task are ignored (the preset supplies them). As Python's {@code create(preset=..., seed=...)}
     * and JS's {@code create({preset, seed})}.
     *
     * @param preset a preset's name in the catalogue
     * @param overrides name, seed, initial parameters and checkpoint policy to use instead of the preset's
     * @return the new simulation's view
     */
    public Simulation createFromPreset(String preset, SimulationSpec overrides) {
        return stub.createSimulation(CreateSimulationRequest.newBuilder()
                        .setPreset(preset)
                        .setSpec(overrides)
                        .build())
                .getSimulation();
    }

    /**
     * The simulation's current view: state, step, latest scalars, parameters, lineage.
     *
     * @param id the run's id
     * @return its view
     * @throws io.grpc.StatusRuntimeException NOT_FOUND for an unknown id
     */
    public Simulation get(String id) {
        return stub.getSimulation(GetSimulationRequest.newBuilder().setId(id).build())
                .getSimulation();
    }

    /**
     * Every simulation the server holds (that this token may see), oldest first, page by page.
     *
     * @return their views
     */
    public List<Simulation> list() {
        List<Simulation> out = new java.util.ArrayList<>();
        String token = "";
        do {
            var page = stub.listSimulations(
                    ListSimulationsRequest.newBuilder().setPageToken(token).build());
            out.addAll(page.getSimulationsList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    /**
     * Stops the simulation, ends its streams and removes it with its run record.
     *
     * @param id the run's id
     */
    public void delete(String id) {
        stub.deleteSimulation(DeleteSimulationRequest.newBuilder().setId(id).build());
    }

    /**
     * Runs the simulation until it is paused, reaches its step budget or a watchpoint fires.
     *
     * @param id the run's id
     * @return the step at which the command took effect
     */
    public long play(String id) {
        return control(id, ControlAction.CONTROL_ACTION_PLAY, 0);
    }

    /**
     * Pauses the simulation at the next step boundary.
     *
     * @param id the run's id
     * @return the step at which the command took effect
     */
    public long pause(String id) {
        return control(id, ControlAction.CONTROL_ACTION_PAUSE, 0);
    }

    /**
     * Starts exactly {@code n} updates; they run asynchronously, then the simulation pauses.
     *
     * @param id the run's id
     * @param n the number of updates, at least 1
     * @return the step at which the command took effect: the run pauses at that step + n
     */
    public long step(String id, long n) {
        return control(id, ControlAction.CONTROL_ACTION_STEP, n);
    }

    /**
     * Takes the simulation back to step 0: its initial parameters and the seed's data order.
     *
     * @param id the run's id
     * @return the step at which the command took effect
     */
    public long reset(String id) {
        return control(id, ControlAction.CONTROL_ACTION_RESET, 0);
    }

    private long control(String id, ControlAction action, long steps) {
        return stub.control(ControlRequest.newBuilder()
                        .setId(id)
                        .setAction(action)
                        .setSteps(steps)
                        .build())
                .getEffectiveStep();
    }

    /**
     * Applies a steering command (see {@link Commands}) at the next step boundary; returns the
     * step at which it took effect.
     *
     * @param id the run's id
     * @param command the command, built by {@link Commands}
     * @return the step at which it took effect
     */
    public long apply(String id, Command command) {
        return stub.applyCommand(ApplyCommandRequest.newBuilder()
                        .setId(id)
                        .setCommand(command)
                        .build())
                .getEffectiveStep();
    }

    /**
     * The commands applied so far, in order, with their effective steps.
     *
     * @param id the run's id
     * @return each command with the step at which it took effect, in order
     */
    public List<Intervention> interventionLog(String id) {
        return stub.getInterventionLog(
                        GetInterventionLogRequest.newBuilder().setId(id).build())
                .getInterventionsList();
    }

    /**
     * A paused copy of the simulation in its current state; its view names the parent and the fork step ({@code fork(id, step)}: from a past step).
     *
     * @param id the run's id
     * @return the fork's view, PAUSED
     */
    public Simulation fork(String id) {
        return stub.forkSimulation(ForkSimulationRequest.newBuilder().setId(id).build())
                .getSimulation();
    }

    /**
     * Opens a Session call: send {@link SessionRequest}s (subscribe, unsubscribe, command,
     * control) on the returned observer; frames and acknowledgements arrive on {@code responses}
     * (on a gRPC thread). Complete or fail the returned observer to end the session.
     *
     * @param responses receives frames and acknowledgements
     * @return where to send requests
     */
    public StreamObserver<SessionRequest> session(StreamObserver<SessionResponse> responses) {
        return async.session(responses);
    }

    /**
     * Polls until the simulation stops running (neither RUNNING nor QUEUED); returns its final view.
     *
     * @param id the run's id
     * @param timeout how long to wait at most
     * @param unit the unit of {@code timeout}
     * @return the view last seen
     * @throws InterruptedException when interrupted while waiting
     * @throws IllegalStateException when still running after {@code timeout}
     */
    public Simulation awaitNotRunning(String id, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            Simulation s = get(id);
            if (!StepWaits.underWay(s.getState())) return s; // a QUEUED run will run
            if (System.nanoTime() > deadline)
                throw new IllegalStateException("simulation " + id + " still running at step " + s.getStep());
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /**
     * Parameter values by name, as row-major float arrays with their shapes.
     *
     * @param id the run's id
     * @param names parameter names, as in {@code Simulation.getParametersList()}; none: all
     * @return tensors by name, in the server's order
     */
    public Map<String, FloatTensor> parameters(String id, String... names) {
        return RunRecordCalls.tensors(stub.getParameters(GetParametersRequest.newBuilder()
                        .setId(id)
                        .addAllNames(List.of(names))
                        .build())
                .getParametersList());
    }

    /**
     * Parameter values as {@code request} asks: at a past step ({@code step}), and for a heatmap
     * shrunk on the server ({@code max_rows}, {@code max_cols}: each block's value of largest
     * magnitude, sign kept) or relative to step 0 ({@code change_since_start}).
     *
     * @param request the run's id, names, and the step, pooling and change options
     * @return tensors by name, in the server's order, in the shape they were sent
     */
    public Map<String, FloatTensor> parameters(GetParametersRequest request) {
        return RunRecordCalls.tensors(stub.getParameters(request).getParametersList());
    }

    /**
     * Streams frames to {@code onFrame} on the calling thread until the stream ends, the
     * consumer throws, or {@link Watch#cancel} is called from another thread. With
     * {@code from_step} set, first every recorded scalar and event of the chosen observables
     * from that step on ({@code setFromStep(0)}: the whole curve so far), then live frames,
     * with no gap and no duplicate; without it, the current values, then live frames.
     *
     * @param request the run's id, observables, layers, cadence and {@code from_step}
     * @return the stream, read by {@link Watch#forEach}
     */
    public Watch watch(WatchRequest request) {
        return new Watch(request, f -> false, Set.of());
    }

    /**
     * Like {@link #watch}, but {@link Watch#forEach} returns by itself once the run is no
     * longer running (paused, finished, diverged, deleted), after the frames of the step where
     * it stopped; at once, after the current step's frames, if it is not running. Without
     * {@code from_step} the watch starts from the record at the current step. The run's
     * "state" events say when it stopped; they are delivered only if the request names
     * "state" (or no observable).
     *
     * @param request as for {@link #watch}
     * @return the stream, read by {@link Watch#forEach}
     */
    public Watch watchUntilPaused(WatchRequest request) {
        WatchRequest.Builder b = request.toBuilder();
        Set<String> hidden = Set.of();
        if (b.getObservablesCount() > 0 && !b.getObservablesList().contains("state")) {
            b.addObservables("state");
            hidden = Set.of("state");
        }
        if (!b.hasFromStep()) b.setFromStep(get(request.getId()).getStep());
        return new Watch(b.build(), f -> StepWaits.stoppedAt(this, request.getId(), f), hidden);
    }

    /**
     * Blocks until the simulation has reached {@code step}, or has stopped short of it (paused,
     * finished, diverged: check the state and step), and returns it as then seen; a run told to
     * stop at that step ({@link #step}, {@code apply(id, Commands.runUntil(k))}, which return as
     * soon as the run is under way) comes back PAUSED there. It watches state changes and the
     * loss at multiples of {@code step} rather than polling. The run record holds what it
     * reached: a {@link #history} that follows has every step up to it.
     *
     * @param id the run's id
     * @param step the step to wait for
     * @param timeout how long to wait at most
     * @return the view as then seen
     * @throws TimeoutException naming the state last seen, after {@code timeout}
     * @throws io.grpc.StatusRuntimeException NOT_FOUND if the simulation is (or gets) deleted
     */
    public Simulation waitForStep(String id, long step, Duration timeout) throws TimeoutException {
        return StepWaits.waitForStep(this, stub, id, step, timeout);
    }

    /** A server stream of frames that can be cancelled from any thread. */
    public final class Watch implements AutoCloseable {
        private final Context.CancellableContext ctx = Context.current().withCancellation();
        private final WatchRequest request;
        private final Predicate<Frame> endsAfter;
        private final Set<String> hidden;

        private Watch(WatchRequest request, Predicate<Frame> endsAfter, Set<String> hidden) {
            this.request = request;
            this.endsAfter = endsAfter;
            this.hidden = hidden;
        }

        /**
         * Blocks, delivering frames, until the stream ends or is cancelled; then the call is released.
         *
         * @param onFrame receives each frame, on the calling thread
         */
        public void forEach(Consumer<Frame> onFrame) {
            try {
                ctx.run(() -> {
                    // A watch from a step promises every value: the main channel, with its full window.
                    // A live one with an unread limit: a Session subscription, saying what it has read.
                    Iterator<WatchResponse> it = request.hasFromStep()
                            ? stub.watch(request)
                            : liveUnread > 0
                                    ? new ReadConfirmingWatch(liveAsync, request, liveUnread)
                                    : live.watch(request);
                    for (; it.hasNext() && !ctx.isCancelled(); ) {
                        for (Frame f : it.next().getFramesList()) {
                            boolean last = endsAfter.test(f);
                            if (!hidden.contains(f.getObservable())) onFrame.accept(f);
                            if (last || ctx.isCancelled()) return;
                        }
                    }
                });
            } catch (io.grpc.StatusRuntimeException e) {
                if (!ctx.isCancelled()) throw e;
            } finally {
                cancel(); // also when the consumer threw: the server stops sending
            }
        }

        /** Ends the stream: {@link #forEach} returns without an error. Callable from any thread. */
        public void cancel() {
            ctx.cancel(null);
        }

        /** The same as {@link #cancel}, for try-with-resources. */
        @Override
        public void close() {
            cancel();
        }
    }

    /**
     * A float32 tensor as it travels (little-endian, row-major); for a weight matrix the shape is [n_out, n_in].
     *
     * @param shape the dimensions, e.g. {@code [n_out, n_in]}; biases are {@code [1, n]}
     * @param data the values, row-major (not copied)
     */
    public record FloatTensor(int[] shape, float[] data) {
        /**
         * Decodes a tensor of the API.
         *
         * @param t a tensor as the API carries it
         * @return it decoded
         */
        public static FloatTensor of(Tensor t) {
            float[] data = new float[t.getData().size() / Float.BYTES];
            t.getData()
                    .asReadOnlyByteBuffer()
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(data);
            return new FloatTensor(
                    t.getShapeList().stream().mapToInt(Integer::intValue).toArray(), data);
        }

        /**
         * A {@code rows x cols} matrix of row-major {@code data} (not copied).
         *
         * @param rows the number of rows (n_out for a weight matrix)
         * @param cols the number of columns (n_in)
         * @param data {@code rows * cols} values, row-major
         * @return the tensor
         */
        public static FloatTensor matrix(int rows, int cols, float[] data) {
            return new FloatTensor(new int[] {rows, cols}, data);
        }

        /**
         * The wire form of this tensor.
         *
         * @return the tensor as the API carries it
         * @throws IllegalArgumentException when the value count does not match the shape
         */
        public Tensor toProto() {
            long n = 1;
            for (int d : shape) n *= d;
            if (n != data.length)
                throw new IllegalArgumentException(
                        "shape " + java.util.Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
            ByteBuffer bytes = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(data);
            Tensor.Builder b = Tensor.newBuilder().setData(ByteString.copyFrom(bytes.array()));
            for (int d : shape) b.addShape(d);
            return b.build();
        }
    }

    /**
     * Closes the channel if {@link #connect} opened it (a channel passed in stays open), waiting
     * up to 5 s for its calls to end.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    @Override
    public void close() throws InterruptedException {
        if (ownedLive != null) ownedLive.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        if (owned != null) owned.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
