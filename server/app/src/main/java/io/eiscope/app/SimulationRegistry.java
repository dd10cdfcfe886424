package io.eiscope.app;

import io.eiscope.engine.model.Parameter;
import io.eiscope.engine.observe.ObservableDescriptor;
import io.eiscope.engine.sim.EngineContext;
import io.eiscope.engine.sim.Simulation;
import io.eiscope.engine.sim.SimulationRunner;
import io.eiscope.engine.spec.Catalogue;
import io.eiscope.engine.spec.SimulationConfig;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The simulations of one server and the worker threads that run them (one per core by
 * default: parallelism across simulations, single-threaded BLAS within each). Thread-safe.
 */
public final class SimulationRegistry implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SimulationRegistry.class);

    /**
     * A registered simulation with its runner and streams; metadata fixed at creation.
     *
     * @param effectiveTargets names of the effective signed matrices observables measure (E/I layers, recurrent
     *                         {@code rnnK} and {@code rnnK.input}); watchable like layers
     * @param parentId  the simulation it was forked from ("" if none)
     * @param forkStep  the parent's step at the fork (0 if none)
     */
    public record Entry(
            SimulationRunner runner,
            SimulationStreams streams,
            long createdUnixMillis,
            List<String> layers,
            List<String> effectiveTargets,
            Map<String, int[]> effectiveShapes,
            Map<String, io.eiscope.engine.model.EiPartition> partitions,
            List<Parameter> parameters,
            String parentId,
            long forkStep,
            RunMeta meta) {}

    /**
     * Threads that apply commands to simulations waiting for a worker (forks build a model
     * there); system property {@code eiscope.controlThreads}, 0 turns the lane off (benchmarks).
     */
    static final int CONTROL_THREADS = Integer.getInteger("eiscope.controlThreads", 2);

    /**
     * Threads that compute the deferred observables (kernel alignment) of all simulations off their
     * training threads; system property {@code eiscope.analysisThreads}, default a quarter of the
     * cores (at least 1). Each simulation has at most one computation per observable and layer in
     * flight, so the queue is bounded by the simulations and their demands.
     */
    static final int ANALYSIS_THREADS = Integer.getInteger(
            "eiscope.analysisThreads", Math.max(1, Runtime.getRuntime().availableProcessors() / 4));

    private final Catalogue catalogue;
    private final EngineContext context;
    private final ExecutorService workers;
    private final ExecutorService control;
    private final ExecutorService analysis;
    private final Map<String, Entry> simulations = new ConcurrentHashMap<>();
    /** Told the id of a run whose state changed (on its training thread: they must be quick). */
    private final List<java.util.function.Consumer<String>> stateListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    private final Set<String> perLayerObservables;
    private final RunArchive archive;
    private final TimeTravel timeTravel;
    private final java.util.concurrent.atomic.LongAdder retiredSteps = new java.util.concurrent.atomic.LongAdder();

    /** A registry whose runs are recorded in {@code archive}. */
    public SimulationRegistry(Catalogue catalogue, EngineContext context, int threads, RunArchive archive) {
        this(catalogue, context, threads, archive, ServerOptions.DEFAULT_REPLAY_CACHE_MB << 20);
    }

    /** ... keeping reconstructions of past steps in up to {@code replayCacheBytes}. */
    public SimulationRegistry(
            Catalogue catalogue, EngineContext context, int threads, RunArchive archive, long replayCacheBytes) {
        this.catalogue = catalogue;
        this.timeTravel = new TimeTravel(archive, catalogue, context, replayCacheBytes);
        this.context = context;
        this.archive = archive;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(WorkerPriority.lowered(r), "eiscope-sim-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AtomicInteger c = new AtomicInteger();
        // Commands to simulations that wait for a worker apply here at once (see SimulationRunner).
        this.control = CONTROL_THREADS < 1
                ? null
                : Executors.newFixedThreadPool(CONTROL_THREADS, r -> {
                    Thread t = new Thread(r, "eiscope-control-" + c.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        AtomicInteger a = new AtomicInteger();
        this.analysis = Executors.newFixedThreadPool(Math.max(1, ANALYSIS_THREADS), r -> {
            Thread t = new Thread(r, "eiscope-analysis-" + a.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        stateListeners.add(id -> lendSpareCores());
        io.eiscope.engine.tensor.IntraOp.setHelperSetup(WorkerPriority::lowered); // as nice as the training threads
        lendSpareCores();
        this.perLayerObservables = catalogue.observables().stream()
                .filter(ObservableDescriptor::perLayer)
                .map(ObservableDescriptor::name)
                .collect(Collectors.toUnmodifiableSet());
    }

    private volatile java.util.function.Consumer<String> registered = id -> {};
    private volatile java.util.function.Consumer<String> removed = id -> {};

    /**
     * Tells {@code added} the id of each run this registry takes (created, forked or recovered) before it is
     * listed, and {@code gone} the id of each run deleted (a cluster member keeps the owners map with them).
     */
    void onMembership(java.util.function.Consumer<String> added, java.util.function.Consumer<String> gone) {
        this.registered = added;
        this.removed = gone;
    }

    private volatile String memberAddress = "";
    private volatile java.util.function.Function<String, ApiException> missing = id -> null;

    /** What to answer for a run this registry does not hold, when {@code hint} knows better than NOT_FOUND (null: it does not). */
    void onMissing(java.util.function.Function<String, ApiException> hint) {
        this.missing = hint;
    }

    /** The cluster member this registry is part of (host:port of its gRPC port), shown with its runs. */
    void setMemberAddress(String address) {
        this.memberAddress = address;
        simulations.values().forEach(e -> e.meta().setMember(address));
    }

    /** True when this registry holds run {@code id}. */
    boolean has(String id) {
        return simulations.containsKey(id);
    }

    /**
     * Lends the cores no playing run uses to the playing runs' large matrix products ({@link
     * io.eiscope.engine.tensor.IntraOp}): one run playing on an idle machine uses them all, and they go back as
     * more runs play. The bits of every run stay the same either way. O(runs), on a state change only.
     */
    private void lendSpareCores() {
        int playing = 0;
        for (Entry e : simulations.values())
            if (e.runner().state() == io.eiscope.engine.sim.SimulationState.RUNNING) playing++;
        io.eiscope.engine.tensor.IntraOp.setSpareCores(Runtime.getRuntime().availableProcessors() - playing);
    }

    /** Tells {@code listener} the id of each run whose state changes, on the run's thread: it must only hand over. */
    void onStateChange(java.util.function.Consumer<String> listener) {
        stateListeners.add(listener);
    }

    public Catalogue catalogue() {
        return catalogue;
    }

    public RunArchive archive() {
        return archive;
    }

    /** Training steps of the runs deleted since the server started (they stay in the metrics' total). */
    long retiredSteps() {
        return retiredSteps.sum();
    }

    TimeTravel timeTravel() {
        return timeTravel;
    }

    /**
     * Validates and builds a simulation, paused at step 0. Blocking (reads datasets and
     * initialises parameters): call it from a worker, never from an event loop.
     */
    public Entry create(SimulationConfig config) {
        return create(config, "");
    }

    /** As {@link #create(SimulationConfig)}, remembering the preset it came from ("" for none). */
    public Entry create(SimulationConfig config, String preset) {
        return create(config, preset, null);
    }

    /** As {@link #create(SimulationConfig, String)}, with the run's own checkpoint policy (null: the server's). */
    public Entry create(SimulationConfig config, String preset, io.eiscope.engine.sim.CheckpointSink.Policy policy) {
        return create(config, preset, policy, "");
    }

    /** As {@link #create(SimulationConfig, String, io.eiscope.engine.sim.CheckpointSink.Policy)}, owned by {@code owner}. */
    public Entry create(
            SimulationConfig config, String preset, io.eiscope.engine.sim.CheckpointSink.Policy policy, String owner) {
        archive.checkBudget();
        checkRunsOf(owner);
        Simulation sim = new Simulation(config, catalogue, context);
        synchronized (
                memoryLock) { // the check and the registration together: two creates cannot both take the last room
            checkMemory(sim.estimatedBytes());
            return register(newId(), sim, List.of(), "", 0, preset, policy, null, owner);
        }
    }

    /**
     * Forks {@code parentId} at its next step boundary into a new, paused simulation with a copy
     * of its state and log. The copy is made on the parent's thread; the future completes there.
     */
    public java.util.concurrent.CompletableFuture<Entry> fork(String parentId) {
        return fork(parentId, get(parentId).meta().owner());
    }

    /** As {@link #fork(String)}, the fork owned by {@code owner}. */
    public java.util.concurrent.CompletableFuture<Entry> fork(String parentId, String owner) {
        Entry parent = get(parentId);
        checkRunsOf(owner);
        archive.checkBudget();
        // Recording the new run is blocking work: off the parent's thread.
        return parent.runner()
                .fork()
                .thenApplyAsync(
                        f -> {
                            Entry e;
                            synchronized (memoryLock) {
                                checkMemory(f.child().estimatedBytes());
                                e = register(
                                        newId(),
                                        f.child(),
                                        f.log(),
                                        parentId,
                                        f.step(),
                                        parent.meta().preset(),
                                        parent.meta().policy(),
                                        null,
                                        owner);
                            }
                            checkpointFork(e); // so that recovering the fork needs no replay from step 0
                            return e;
                        },
                        archive.executor());
    }

    /**
     * Forks {@code parentId} from the state it held at past {@code step}, rebuilt on a
     * reconstruction thread (see {@link TimeTravel}), with its log up to that step; lineage
     * records the step. The parent runs on undisturbed.
     */
    public java.util.concurrent.CompletableFuture<Entry> forkAt(
            String parentId, long step, java.util.function.Consumer<TimeTravel.Progress> progress) {
        return forkAt(parentId, step, progress, get(parentId).meta().owner());
    }

    /** As {@link #forkAt(String, long, java.util.function.Consumer)}, the fork owned by {@code owner}. */
    public java.util.concurrent.CompletableFuture<Entry> forkAt(
            String parentId, long step, java.util.function.Consumer<TimeTravel.Progress> progress, String owner) {
        Entry parent = get(parentId);
        if (TimeTravel.isPresent(parent, step)) {
            // The run is there now: the ordinary fork, unless it moved on before its next boundary.
            return fork(parentId, owner)
                    .thenCompose(e -> e.forkStep() == step
                            ? java.util.concurrent.CompletableFuture.completedFuture(e)
                            : java.util.concurrent.CompletableFuture.supplyAsync(
                                            () -> {
                                                delete(e.runner().id());
                                                return null;
                                            },
                                            archive.executor())
                                    .thenCompose(v -> forkAt(parentId, step, progress, owner)));
        }
        archive.checkBudget();
        checkRunsOf(owner);
        return timeTravel
                .at(
                        parent,
                        step,
                        progress,
                        new java.util.concurrent.atomic.AtomicBoolean(),
                        at -> new SimulationRunner.Fork(at.state().forkSimulation(), step, at.log()))
                .thenApplyAsync(
                        f -> {
                            Entry e;
                            synchronized (memoryLock) {
                                checkMemory(f.child().estimatedBytes());
                                e = register(
                                        newId(),
                                        f.child(),
                                        f.log(),
                                        parentId,
                                        f.step(),
                                        parent.meta().preset(),
                                        parent.meta().policy(),
                                        null,
                                        owner);
                            }
                            checkpointFork(e); // so that recovering the fork needs no replay from step 0
                            return e;
                        },
                        archive.executor());
    }

    private volatile int maxRunsPerOwner = ServerOptions.DEFAULT_MAX_RUNS_PER_OWNER;
    private volatile io.eiscope.engine.sim.Admission admission = new io.eiscope.engine.sim.Admission(0);

    /** Runs that may play at once (see {@link io.eiscope.engine.sim.Admission}); set before any run is registered. */
    void setWorkers(int n) {
        admission = new io.eiscope.engine.sim.Admission(n);
    }

    /** The bound on runs playing at once and its queue. */
    io.eiscope.engine.sim.Admission admission() {
        return admission;
    }

    private volatile long memoryBudgetBytes; // 0: the JVM's largest heap
    private final Object memoryLock = new Object();

    /** The server-wide memory budget the runs' estimates must fit in together (0: the JVM's largest heap). */
    void setMemoryBudgetBytes(long bytes) {
        memoryBudgetBytes = bytes;
    }

    /** The estimated memory of the runs held now (see {@link Simulation#estimatedBytes}). */
    long reservedBytes() {
        return simulations.values().stream()
                .mapToLong(e -> e.runner().simulation().estimatedBytes())
                .sum();
    }

    /**
     * Refuses a new run whose estimate does not fit beside those of the runs held: each run is
     * checked against the heap free when it is built, but activations and optimiser state grow
     * with its first steps, so runs created together could otherwise outgrow the heap later.
     */
    private void checkMemory(long need) {
        long budget =
                memoryBudgetBytes > 0 ? memoryBudgetBytes : Runtime.getRuntime().maxMemory();
        long held = reservedBytes();
        if (held + need > budget) {
            throw new ApiException(
                    io.vertx.grpc.common.GrpcStatus.RESOURCE_EXHAUSTED,
                    "this run needs about " + mib(need)
                            + " MiB, and the " + simulations.size() + " runs on this server already hold about "
                            + mib(held) + " MiB of its "
                            + mib(budget)
                            + " MiB memory budget (--memory-budget-mb, at most the heap): delete runs you no longer need,"
                            + " or start the server with a larger budget (and java -Xmx)");
        }
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    /** Runs one owner may have at once (0: no limit). */
    void setMaxRunsPerOwner(int n) {
        maxRunsPerOwner = n;
    }

    /** Refuses a new run of {@code owner} at its limit of runs. */
    private void checkRunsOf(String owner) {
        int limit = maxRunsPerOwner;
        if (limit <= 0) return;
        long has = simulations.values().stream()
                .filter(e -> e.meta().owner().equals(owner))
                .count();
        if (has >= limit) {
            throw new ApiException(
                    io.vertx.grpc.common.GrpcStatus.RESOURCE_EXHAUSTED,
                    (owner.isEmpty() ? "this server holds " : "'" + owner + "' has ") + has
                            + " runs, the most allowed (--max-runs-per-owner " + limit
                            + "): delete runs you no longer need"
                            + " (DeleteSimulation), or ask for a higher limit");
        }
    }

    private String newId() {
        String id;
        do {
            id = String.format("sim-%08x", ThreadLocalRandom.current().nextInt());
        } while (simulations.containsKey(id));
        return id;
    }

    static final String FORK_MARK = " · fork @ step ";

    /**
     * A fork's name until its owner renames it: its parent's name (as the parent is called now)
     * and the step it forked at; a fork of a fork keeps its root's name with the new step (the
     * lineage shows the path).
     */
    /** Checkpoints a new fork at its first step without waiting: the fork works without it, recovery just replays more. */
    private static void checkpointFork(Entry e) {
        var unused = e.runner().checkpointNow("fork", false).whenComplete((step, err) -> {
            if (err != null)
                LOG.atWarn()
                        .addKeyValue("run", e.runner().id())
                        .setCause(err)
                        .log("the fork's first checkpoint failed");
        });
    }

    private String forkName(String parentId, long forkStep) {
        Entry parent = simulations.get(parentId);
        String base = parent == null || parent.meta().name().isEmpty()
                ? parentId
                : parent.meta().name();
        int mark = base.lastIndexOf(FORK_MARK);
        if (mark > 0 && parent != null && !parent.parentId().isEmpty()) base = base.substring(0, mark);
        if (base.codePointCount(0, base.length()) > 180)
            base = base.substring(0, base.offsetByCodePoints(0, 180)); // within the name limit
        return base + FORK_MARK + forkStep;
    }

    /**
     * Registers a simulation under {@code id}: a new run (recorded now, with the log it inherits)
     * or, with {@code recovered} set, one read back from the record.
     */
    private Entry register(
            String id,
            Simulation sim,
            List<io.eiscope.engine.sim.Intervention> log,
            String parentId,
            long forkStep,
            String preset,
            io.eiscope.engine.sim.CheckpointSink.Policy policy,
            io.eiscope.store.RunRecord recovered,
            String owner) {
        long created = recovered != null ? recovered.createdMillis() : System.currentTimeMillis();
        String name = recovered != null
                ? recovered.name()
                : parentId.isEmpty() ? sim.config().name() : forkName(parentId, forkStep);
        if (recovered == null)
            archive.recordNew(id, name, sim.config(), policy, created, parentId, forkStep, preset, log, owner);
        SimulationStreams streams = new SimulationStreams(
                id, perLayerObservables, archive.recording(id), () -> stateListeners.forEach(l -> l.accept(id)));
        SimulationRunner runner = new SimulationRunner(
                id,
                sim,
                workers,
                control,
                analysis,
                streams,
                log,
                recovered != null
                        ? "recovering after a restart (replaying to step " + recovered.lastStep() + ")"
                        : null);
        io.eiscope.engine.sim.CheckpointSink.Policy effective = policy != null ? policy : archive.policy();
        runner.setCheckpointing(archive.checkpointSink(id, effective), effective);
        runner.setAdmission(admission);
        streams.attach(runner);
        streams.baseline(recovered != null ? recovered.lastStep() : forkStep);
        RunMeta meta = recovered != null
                ? new RunMeta(
                        id,
                        recovered.name(),
                        recovered.tags(),
                        recovered.notes(),
                        recovered.preset(),
                        archive.recorder(),
                        recovered.lastStep(),
                        policy,
                        recovered.owner())
                : new RunMeta(id, name, List.of(), "", preset, archive.recorder(), forkStep, policy, owner);
        List<String> effectiveTargets = sim.model().effectiveWeightTargets();
        Map<String, int[]> effectiveShapes = new java.util.LinkedHashMap<>();
        Map<String, io.eiscope.engine.model.EiPartition> partitions = new java.util.HashMap<>();
        for (String t : effectiveTargets) {
            sim.model().effectiveWeight(t).ifPresent(w -> effectiveShapes.put(t, new int[] {w.rows, w.cols}));
            sim.model().partition(t).ifPresent(p -> partitions.put(t, p));
        }
        for (Parameter p : sim.parameters())
            sim.model().partition(p.name()).ifPresent(q -> partitions.put(p.name(), q));
        Entry e = new Entry(
                runner,
                streams,
                created,
                sim.model().layers(),
                effectiveTargets,
                java.util.Collections.unmodifiableMap(effectiveShapes),
                Map.copyOf(partitions),
                sim.parameters(),
                parentId,
                forkStep,
                meta);
        meta.setMember(memberAddress);
        registered.accept(id);
        simulations.put(id, e);
        return e;
    }

    /**
     * Registers every run of the record, each paused where its record ends (see
     * {@link RunArchive#recover}); the replays run on the simulations' own threads, so this
     * returns once the runs are listed, before they are all back. Blocking.
     */
    public int recoverAll() {
        int n = 0;
        for (io.eiscope.store.RunRecord r : archive.store().runs()) if (recover(r) != null) n++;
        return n;
    }

    /**
     * Registers run {@code r} of the record, paused where its record ends (see {@link RunArchive#recover}); its
     * replay runs on its own thread, ahead of any command sent to it. Null when it cannot be rebuilt (its record is
     * kept, and the reason logged). Blocking.
     */
    public Entry recover(io.eiscope.store.RunRecord r) {
        try {
            RunArchive.Rebuilt rebuilt = archive.rebuild(r, catalogue, context);
            Entry e = register(
                    r.id(),
                    rebuilt.simulation(),
                    rebuilt.log(),
                    r.parentId(),
                    r.forkStep(),
                    r.preset(),
                    rebuilt.policy(),
                    r,
                    r.owner());
            archive.recover(e.runner(), r, rebuilt);
            return e;
        } catch (RuntimeException ex) {
            LOG.atWarn()
                    .addKeyValue("run", r.id())
                    .setCause(ex)
                    .log("the run could not be recovered; its record is kept");
            return null;
        }
    }

    /** Longer ids are refused without being echoed back. */
    static final int MAX_ID_LENGTH = 64;

    public Entry get(String id) {
        if (id == null || id.isEmpty()) throw ApiException.invalid("id is required");
        if (id.length() > MAX_ID_LENGTH)
            throw ApiException.invalid("id is " + id.length()
                    + " characters long; ids look like sim-0123abcd (ListSimulations shows them)");
        Entry e = simulations.get(id);
        ApiException hint = e == null ? missing.apply(id) : null;
        if (hint != null) throw hint;
        if (e == null)
            throw ApiException.notFound("no simulation '" + id + "'; ListSimulations shows the existing ids");
        return e;
    }

    public List<Entry> list() {
        return simulations.values().stream()
                .sorted(Comparator.comparingLong(Entry::createdUnixMillis)
                        .thenComparing(e -> e.runner().id()))
                .toList();
    }

    /** Stops the simulation, ends its streams, forgets it and deletes its record. Blocking. */
    public void delete(String id) {
        Entry e = get(id);
        simulations.remove(id);
        removed.accept(id);
        e.runner().stop().join();
        e.streams().endAll();
        retiredSteps.add(e.runner().trainedSteps());
        timeTravel.forget(id);
        archive.delete(id);
    }

    /** Checkpoints every run that has steps since its last one ("shutdown"), then stops them. Blocking, up to about 30 s. */
    @Override
    public void close() {
        List<java.util.concurrent.CompletableFuture<?>> saved = new java.util.ArrayList<>();
        admission.close(); // no queued run starts while the others are paused
        for (Entry e : simulations.values()) {
            var s = e.runner().state();
            if (s != io.eiscope.engine.sim.SimulationState.FAILED && s != io.eiscope.engine.sim.SimulationState.STOPPED)
                saved.add(e.runner()
                        .pause("paused: the server is stopping")
                        .thenCompose(v -> e.runner().checkpointNow("shutdown", false)));
        }
        try {
            java.util.concurrent.CompletableFuture.allOf(saved.toArray(new java.util.concurrent.CompletableFuture[0]))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception ex) {
            LOG.warn("not every run was checkpointed at shutdown: {}", ex.toString());
        }
        for (Entry e : simulations.values()) {
            var unused = e.runner().stop(); // the shutdown checkpoints above are durable; nothing waits for the stop
            e.streams().endAll();
        }
        workers.shutdown();
        if (control != null) control.shutdown();
        analysis.shutdownNow();
        timeTravel.close();
        archive.close();
    }
}
