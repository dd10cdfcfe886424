package io.eiscope.app;

import io.eiscope.api.v1.Sweep;
import io.eiscope.api.v1.SweepAction;
import io.eiscope.api.v1.SweepAxis;
import io.eiscope.api.v1.SweepRun;
import io.eiscope.api.v1.SweepSpec;
import io.eiscope.api.v1.SweepState;
import io.eiscope.api.v1.Value;
import io.eiscope.engine.sim.SimulationState;
import io.eiscope.store.SweepStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The sweeps of one server and their scheduler. Every {@link #TICK_MILLIS} a timer looks at each
 * running sweep's runs (their states are in memory: no blocking) and keeps at most {@code
 * concurrency} of them playing: it plays runs already made (after a restart, after a resume),
 * then makes the next point's run on a worker, one at a time. A run that finished, diverged,
 * failed, was stopped or deleted frees its slot; one paused by its user (or a watchpoint) too, and
 * the sweep leaves it paused until the sweep is resumed. The sweep and each point's run id are in
 * the run record ({@link SweepStore}), so after a restart the sweep lists again and carries on.
 * A sweep's in-memory state is guarded by its own monitor, held only for in-memory work.
 */
final class Sweeps implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Sweeps.class);
    /** Set by close: runs paused by the shutdown still change state, and ask for no tick. */
    private volatile boolean closed;

    static final long TICK_MILLIS = 200;
    /** A tick asked for by a run's state change is on its way (one at a time, whatever the number of changes). */
    private final java.util.concurrent.atomic.AtomicBoolean tickQueued =
            new java.util.concurrent.atomic.AtomicBoolean();
    /** How long a sweep waits before trying again to make a run the server refused for its limits. */
    static final long RETRY_MILLIS = 2000;

    /** One point; {@code runId} and {@code error} are set once, the flags under the sweep's monitor. */
    static final class Point {
        final int index;
        final Map<String, Value> values;
        volatile String runId;
        volatile String error;
        boolean wanted; // the sweep played it and counts it against the bound
        volatile boolean confirmed; // that play took effect: a later pause came from someone else
        boolean held; // paused by its user: left alone until the sweep is resumed
        boolean making; // its run is being made

        Point(int index, Map<String, Value> values, String runId, String error) {
            this.index = index;
            this.values = values;
            this.runId = runId;
            this.error = error;
        }
    }

    static final class Live {
        final String id;
        final SweepSpec spec;
        final long createdMillis;
        final String owner;
        final int concurrency;
        final List<Point> points;
        SweepState state;
        /** Runs being made (each counts as playing: it plays once made). */
        int creating;

        long retryAtMillis;

        Live(
                String id,
                SweepSpec spec,
                long createdMillis,
                String owner,
                int concurrency,
                List<Point> points,
                SweepState state) {
            this.id = id;
            this.spec = spec;
            this.createdMillis = createdMillis;
            this.owner = owner;
            this.concurrency = concurrency;
            this.points = points;
            this.state = state;
        }
    }

    private final Vertx vertx;
    private final SimulationRegistry registry;
    private final SweepStore store;
    private final int cores;
    /** The cores a sweep's runs may use by default: this server's, or in a cluster all its members'. */
    private volatile java.util.function.IntSupplier defaultConcurrency;

    private final Map<String, Live> sweeps = new ConcurrentHashMap<>();
    /** Where the sweeps' runs are made and played: this server, or any member of its cluster. */
    private volatile SweepRuns runs;

    private long timer = -1;

    Sweeps(Vertx vertx, SimulationRegistry registry, int cores) {
        this.vertx = vertx;
        this.registry = registry;
        this.cores = cores;
        this.defaultConcurrency = () -> cores;
        this.store = new SweepStore(registry.archive().store());
        this.runs = new SweepRuns.Local(registry);
    }

    /**
     * Makes and plays the sweeps' runs through {@code r} (a cluster member spreads them over the members), at most
     * {@code members} times this server's cores at once unless a sweep says how many.
     */
    void placeRuns(SweepRuns r, java.util.function.IntSupplier members) {
        this.runs = r;
        this.defaultConcurrency = () -> cores * Math.max(1, members.getAsInt());
    }

    /** Something about a sweep's run changed elsewhere (a member's run changed state): look at the sweeps soon. */
    void runChanged() {
        if (!closed && tickQueued.compareAndSet(false, true))
            vertx.runOnContext(v -> {
                tickQueued.set(false);
                sweeps.values().forEach(this::tick);
            });
    }

    /** Loads the record's sweeps (blocking: call it at start, after the runs are recovered) and starts the timer. */
    int start() {
        return start(true);
    }

    /**
     * Starts the timer; with {@code all}, first loads the record's sweeps (blocking: call it at start, after the runs
     * are recovered). A cluster member loads none here: it {@link #adopt}s the sweeps it owns.
     */
    int start(boolean all) {
        if (all) for (SweepStore.SweepRow r : store.sweeps()) load(r);
        timer = vertx.setPeriodic(TICK_MILLIS, t -> sweeps.values().forEach(this::tick));
        // A run that finished, paused or failed frees its slot at once, not at the next tick: with short runs the
        // timer alone made a 200-run sweep one run per tick (bench/sweep_throughput.py).
        registry.onStateChange(id -> runChanged());
        return sweeps.size();
    }

    private volatile java.util.function.Consumer<String> created = id -> {};

    /** Tells {@code listener} the id of each sweep created here, before it is listed (a cluster member owns it). */
    void onCreated(java.util.function.Consumer<String> listener) {
        this.created = listener;
    }

    /** True when this server plays sweep {@code id}. */
    boolean has(String id) {
        return sweeps.containsKey(id);
    }

    /** Loads sweep {@code id} of the record (a cluster member taking it over, after its runs). Blocking. */
    void adopt(String id) {
        for (SweepStore.SweepRow r : store.sweeps()) if (r.id().equals(id)) load(r);
    }

    private void load(SweepStore.SweepRow r) {
        try {
            SweepSpec spec = SweepSpec.parseFrom(r.spec());
            List<Point> points = new ArrayList<>();
            for (SweepStore.PointRow p : store.points(r.id()))
                points.add(new Point(
                        p.index(), ordered(spec, SweepRun.parseFrom(p.point()).getValuesMap()), p.runId(), p.error()));
            sweeps.put(
                    r.id(),
                    new Live(
                            r.id(),
                            spec,
                            r.createdMillis(),
                            r.owner(),
                            concurrency(spec),
                            points,
                            SweepState.valueOf(r.state())));
        } catch (com.google.protobuf.InvalidProtocolBufferException | IllegalArgumentException e) {
            LOG.atWarn()
                    .addKeyValue("sweep", r.id())
                    .setCause(e)
                    .log("the sweep could not be read back; its record is kept");
        }
    }

    private int concurrency(SweepSpec spec) {
        return spec.getConcurrency() > 0 ? spec.getConcurrency() : defaultConcurrency.getAsInt();
    }

    /** The point's values in the order of the axes (a stored map has none). */
    private static Map<String, Value> ordered(SweepSpec spec, Map<String, Value> values) {
        Map<String, Value> out = new LinkedHashMap<>();
        for (SweepAxis a : spec.getAxesList())
            if (values.containsKey(a.getField())) out.put(a.getField(), values.get(a.getField()));
        return out;
    }

    /** Validates, records and starts a sweep. Blocking (writes the record): call it from a worker. */
    Live create(SweepSpec spec, String owner) {
        List<Map<String, Value>> values = SweepPoints.expand(spec, registry.catalogue());
        String id;
        do id = String.format("sweep-%08x", ThreadLocalRandom.current().nextInt());
        while (sweeps.containsKey(id));
        List<Point> points = new ArrayList<>();
        List<byte[]> stored = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            points.add(new Point(i, values.get(i), "", ""));
            stored.add(SweepRun.newBuilder()
                    .setIndex(i)
                    .putAllValues(values.get(i))
                    .build()
                    .toByteArray());
        }
        long now = System.currentTimeMillis();
        store.create(
                new SweepStore.SweepRow(id, spec.toByteArray(), SweepState.SWEEP_STATE_RUNNING.name(), now, owner),
                stored);
        Live l = new Live(id, spec, now, owner, concurrency(spec), points, SweepState.SWEEP_STATE_RUNNING);
        created.accept(id);
        sweeps.put(id, l);
        tick(l);
        return l;
    }

    /** The sweep, if {@code caller} may see it. */
    Live get(String id, Caller caller) {
        if (id == null || id.isEmpty()) throw ApiException.invalid("sweep_id is required");
        Live l = id.length() > 64 ? null : sweeps.get(id);
        if (l == null)
            throw ApiException.notFound("no sweep '" + (id.length() > 64 ? id.substring(0, 64) + "…" : id)
                    + "'; ListSweeps shows the existing ids");
        if (!caller.owns(l.owner))
            throw new ApiException(
                    GrpcStatus.PERMISSION_DENIED,
                    "sweep " + id + " belongs to '" + l.owner + "', not to '" + caller.owner() + "'");
        return l;
    }

    /** The caller's sweeps, oldest first. */
    List<Live> list(Caller caller) {
        return sweeps.values().stream()
                .filter(l -> caller.owns(l.owner))
                .sorted(Comparator.comparingLong((Live l) -> l.createdMillis).thenComparing(l -> l.id))
                .toList();
    }

    /** Sweeps by state, for /metrics. */
    long count(SweepState s) {
        return sweeps.values().stream().filter(l -> l.state == s).count();
    }

    /** Pauses, resumes or cancels; answers once the playing runs paused and the new state is recorded. */
    Future<Live> control(Live l, SweepAction action) {
        List<CompletableFuture<Long>> pausing = new ArrayList<>();
        SweepState next;
        synchronized (l) {
            next = switch (action) {
                case SWEEP_ACTION_PAUSE -> {
                    if (l.state != SweepState.SWEEP_STATE_RUNNING) throw notNow(l, "pause", "a running sweep");
                    yield SweepState.SWEEP_STATE_PAUSED;
                }
                case SWEEP_ACTION_RESUME -> {
                    if (l.state != SweepState.SWEEP_STATE_PAUSED) throw notNow(l, "resume", "a paused sweep");
                    yield SweepState.SWEEP_STATE_RUNNING;
                }
                case SWEEP_ACTION_CANCEL -> {
                    if (l.state == SweepState.SWEEP_STATE_DONE || l.state == SweepState.SWEEP_STATE_CANCELLED)
                        throw notNow(l, "cancel", "a running or paused sweep");
                    yield SweepState.SWEEP_STATE_CANCELLED;
                }
                default ->
                    throw ApiException.invalid(
                            "action must be SWEEP_ACTION_PAUSE, SWEEP_ACTION_RESUME or SWEEP_ACTION_CANCEL, got "
                                    + action);
            };
            l.state = next;
            for (Point p : l.points) {
                if (next == SweepState.SWEEP_STATE_RUNNING)
                    p.held = false; // resume continues the runs paused by hand too
                if (!p.wanted) continue;
                p.wanted = false;
                p.confirmed = false;
                if (runs.state(p.runId) != null) pausing.add(runs.pause(p.runId).toCompletableFuture());
            }
        }
        CompletableFuture<Void> paused = CompletableFuture.allOf(pausing.toArray(new CompletableFuture[0]));
        return Future.fromCompletionStage(paused, vertx.getOrCreateContext())
                .recover(t -> Future.succeededFuture()) // a run that failed meanwhile is not playing either
                .compose(v -> vertx.executeBlocking(
                        () -> {
                            store.setState(l.id, next.name());
                            return l;
                        },
                        false))
                .onSuccess(x -> tick(l));
    }

    private static ApiException notNow(Live l, String verb, String what) {
        return new ApiException(
                GrpcStatus.FAILED_PRECONDITION,
                "sweep " + l.id + " is " + l.state.name().substring("SWEEP_STATE_".length()) + "; only " + what
                        + " can " + verb);
    }

    static boolean terminal(SimulationState s) {
        return s == SimulationState.FINISHED
                || s == SimulationState.DIVERGED
                || s == SimulationState.FAILED
                || s == SimulationState.STOPPED;
    }

    /** One look at a sweep: frees the slots of runs that stopped playing, fills them, notices the end. */
    void tick(Live l) {
        synchronized (l) {
            if (l.state != SweepState.SWEEP_STATE_RUNNING) return;
            int active = l.creating;
            boolean allDone = l.creating == 0;
            for (Point p : l.points) {
                if (!p.error.isEmpty()) continue;
                if (p.runId.isEmpty()) {
                    allDone = false;
                    continue;
                }
                SimulationState now = runs.state(p.runId);
                if (now == null || terminal(now)) {
                    p.wanted = false;
                    continue;
                }
                allDone = false;
                if (!p.wanted) continue;
                // QUEUED: played, waiting for one of the server's --workers; it keeps its slot.
                if (p.confirmed && now != SimulationState.RUNNING && now != SimulationState.QUEUED) {
                    p.wanted = false; // paused by its user or a watchpoint: its slot goes to the next run
                    p.held = true;
                    continue;
                }
                active++;
            }
            if (allDone) {
                l.state = SweepState.SWEEP_STATE_DONE;
                vertx.executeBlocking(
                        () -> {
                            store.setState(l.id, SweepState.SWEEP_STATE_DONE.name());
                            return null;
                        },
                        false);
                return;
            }
            for (Point p : l.points) {
                if (active >= l.concurrency) return;
                if (p.runId.isEmpty() || !p.error.isEmpty() || p.wanted || p.held) continue;
                SimulationState s = runs.state(p.runId);
                if (s == null || terminal(s)) continue;
                play(l, p);
                active++;
            }
            if (System.currentTimeMillis() < l.retryAtMillis) return;
            // As many made at once as there are free slots: in a cluster, making a run on another member is a round
            // trip of its own, and one at a time left the members idle between short runs.
            for (Point p : l.points) {
                if (active >= l.concurrency) return;
                if (p.runId.isEmpty() && p.error.isEmpty() && !p.making) {
                    p.making = true;
                    l.creating++;
                    active++;
                    make(l, p);
                }
            }
        }
    }

    private void play(Live l, Point p) {
        p.wanted = true;
        p.confirmed = false;
        var unused = runs.play(p.runId).whenComplete((step, err) -> {
            if (err == null) {
                p.confirmed = true;
                return;
            }
            synchronized (l) { // e.g. it failed meanwhile: the next tick sees its state
                p.wanted = false;
            }
        });
    }

    /** Makes the point's run on a worker (tagged with the sweep, its id recorded), then plays it if the sweep still runs. */
    private void make(Live l, Point p) {
        vertx.executeBlocking(
                        () -> {
                            SweepPoints.Run run = SweepPoints.runOf(l.spec, p.values, registry.catalogue());
                            String runId = runs.create(run.spec(), run.preset(), l.owner, List.of("sweep:" + l.id));
                            store.setPoint(l.id, p.index, runId, "");
                            return runId;
                        },
                        false)
                .onComplete(ar -> {
                    synchronized (l) {
                        l.creating--;
                        p.making = false;
                        if (ar.succeeded()) {
                            p.runId = ar.result();
                            if (l.state == SweepState.SWEEP_STATE_RUNNING) play(l, p);
                            return;
                        }
                        ApiException ex = ApiException.from(ar.cause());
                        if (ex.status() == GrpcStatus.RESOURCE_EXHAUSTED) { // the server's limits: try again later
                            l.retryAtMillis = System.currentTimeMillis() + RETRY_MILLIS;
                            LOG.atInfo()
                                    .addKeyValue("sweep", l.id)
                                    .log("waiting to make the next run: {}", ex.getMessage());
                            return;
                        }
                        p.error = ex.getMessage();
                    }
                    vertx.executeBlocking(
                            () -> {
                                store.setPoint(l.id, p.index, "", p.error);
                                return null;
                            },
                            false);
                });
    }

    /** The sweep as the API shows it, with its runs or without. */
    Sweep toProto(Live l, boolean withRuns) {
        Sweep.Builder b = Sweep.newBuilder()
                .setId(l.id)
                .setSpec(l.spec)
                .setConcurrency(l.concurrency)
                .setCreatedUnixMillis(l.createdMillis)
                .setOwner(l.owner)
                .setTotalRuns(l.points.size());
        synchronized (l) {
            b.setState(l.state);
        }
        int started = 0, playing = 0, done = 0;
        for (Point p : l.points) {
            SweepRun.Builder r = SweepRun.newBuilder()
                    .setIndex(p.index)
                    .putAllValues(p.values)
                    .setRunId(p.runId)
                    .setError(p.error);
            SimulationState s = runs.state(p.runId);
            if (!p.runId.isEmpty()) started++;
            if (s != null) {
                r.setState(ProtoMapper.toProto(s)).setStep(runs.step(p.runId));
                if (s == SimulationState.RUNNING) playing++;
                if (terminal(s)) done++;
            } else if (!p.runId.isEmpty() || !p.error.isEmpty()) done++;
            if (withRuns) b.addRuns(r);
        }
        return b.setStartedRuns(started)
                .setPlayingRuns(playing)
                .setDoneRuns(done)
                .build();
    }

    @Override
    public void close() {
        closed = true; // runs paused by the shutdown still change state: no tick for them
        if (timer >= 0) vertx.cancelTimer(timer);
    }
}
