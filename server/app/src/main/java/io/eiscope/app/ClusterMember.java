package io.eiscope.app;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.eiscope.engine.sim.SimulationRunner;
import io.eiscope.engine.sim.SimulationState;
import io.eiscope.store.RunRecord;
import io.eiscope.store.SweepStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * This server as a member of an eiscope cluster. Each run and each sweep has one owning member, kept in a Hazelcast
 * map ({@code eiscope.owners}: "run:ID" or "sweep:ID" to the member's id); every member publishes where it answers
 * gRPC and how loaded it is ({@code eiscope.members}). A call for a run another member owns is routed there
 * ({@link PeerCalls}); new runs and sweeps go to the least loaded member. When a member leaves, the survivors split
 * its runs and sweeps between them (a sweep with its runs), each claimed by a compare-and-set on the owners map, and
 * bring them back from the shared record: where it ends, from the newest checkpoint, by deterministic replay. A run
 * that was playing plays on.
 */
final class ClusterMember {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClusterMember.class);

    /** How often a member publishes its load and reads the others'. */
    static final long PUBLISH_MILLIS = 500;

    /** After a member leaves, how long before any survivor takes what the first share left unclaimed. */
    static final long SWEEP_UP_MILLIS = 3_000;

    private final Vertx vertx;
    private final HazelcastInstance hz;
    private final String me;
    private final String host;
    private volatile int port;
    private final IMap<String, String> owners;
    private final IMap<String, String> members;
    /** Every run's state and step at its last change of state ("STATE STEP"), kept by its owner. */
    private final IMap<String, String> states;
    /** This member's copy of {@link #states}, kept by a listener (sweeps look at their runs' states often). */
    private final Map<String, RunState> stateCopy = new java.util.concurrent.ConcurrentHashMap<>();
    /** Runs made on another member for a sweep of this one whose first state has not come yet. */
    private final Set<String> madeElsewhere = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A run's state as its member last published it. */
    record RunState(SimulationState state, long step) {}

    /** Playing runs: id to the step where they pause by themselves (-1: until paused), kept by their owner. */
    private final IMap<String, Long> playing;

    private final PeerCalls peers;
    private SimulationRegistry registry;
    private Sweeps sweeps;
    private volatile Map<String, Load> directory = Map.of();
    private long timer = -1;
    private volatile boolean closed;
    /** Runs this member is taking over, not registered yet. */
    private final Set<String> pending = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A member's gRPC address and load (playing runs first, then runs held), as published. */
    record Load(String member, String host, int port, int playing, int runs) {
        static Load parse(String member, String v) {
            String[] f = v.split(" ", -1);
            return new Load(member, f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]));
        }

        String encoded() {
            return host + " " + port + " " + playing + " " + runs;
        }

        SocketAddress socket() {
            return SocketAddress.inetSocketAddress(port, host);
        }
    }

    ClusterMember(Vertx vertx, HazelcastInstance hz, String host, long maxMessageBytes) {
        this.vertx = vertx;
        this.hz = hz;
        this.me = hz.getCluster().getLocalMember().getUuid().toString();
        this.host = host;
        this.owners = hz.getMap("eiscope.owners");
        this.members = hz.getMap("eiscope.members");
        this.playing = hz.getMap("eiscope.playing");
        this.states = hz.getMap("eiscope.states");
        IMap<String, String> secrets = hz.getMap("eiscope.secret");
        String mine = java.util.UUID.randomUUID().toString();
        String shared = secrets.putIfAbsent("routing", mine);
        this.peers = new PeerCalls(vertx, maxMessageBytes, shared == null ? mine : shared);
    }

    String id() {
        return me;
    }

    PeerCalls peers() {
        return peers;
    }

    /**
     * Takes the record's runs and sweeps that no live member owns (blocking: call at start), and from then on keeps
     * the owners map in step with the registry, publishes this member's load and takes over from members that leave.
     */
    int join(SimulationRegistry registry, Sweeps sweeps, int port) {
        this.registry = registry;
        this.sweeps = sweeps;
        this.port = port;
        registry.setMemberAddress(host + ":" + port);
        registry.onMissing(id -> pending.contains(id)
                ? new ApiException(
                        GrpcStatus.UNAVAILABLE,
                        "run " + id + " is being taken over from the record by this member (the member that held it"
                                + " left); retry in a moment")
                : null);
        var store = registry.archive().store();
        registry.onMembership(
                id -> {
                    if (!store.holdRun(id))
                        throw new ApiException(
                                GrpcStatus.ABORTED,
                                "run " + id + " is held by another server on the record (a cluster split in two?);"
                                        + " this member leaves it alone");
                    owners.set(run(id), me);
                },
                id -> {
                    owners.remove(run(id), me);
                    playing.delete(id);
                    states.delete(id);
                    store.releaseRun(id);
                });
        registry.onStateChange(this::playingChanged);
        sweeps.onCreated(id -> owners.set(sweep(id), me));
        sweeps.placeRuns(new ClusterSweepRuns(registry, this), () -> directory.size());
        states.addEntryListener(new StateListener(), true);
        for (var e : states.entrySet()) copyState(e.getKey(), e.getValue());
        publish();
        int taken = claim(false);
        hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {
                refresh();
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
                String gone = e.getMember().getUuid().toString();
                LOG.atInfo().addKeyValue("member", gone).log("a cluster member left; taking its share of its runs");
                vertx.executeBlocking(
                                () -> {
                                    members.remove(gone);
                                    int n = claim(true);
                                    vertx.setTimer(
                                            SWEEP_UP_MILLIS, t -> vertx.executeBlocking(() -> claim(false), false));
                                    return n;
                                },
                                false)
                        .onFailure(t ->
                                LOG.atWarn().setCause(t).log("could not take over the runs of a member that left"));
            }
        });
        timer = vertx.setPeriodic(PUBLISH_MILLIS, t -> vertx.executeBlocking(this::publish, false));
        return taken;
    }

    static String run(String id) {
        return "run:" + id;
    }

    static String sweep(String id) {
        return "sweep:" + id;
    }

    private Set<String> live() {
        return hz.getCluster().getMembers().stream()
                .map(m -> m.getUuid().toString())
                .collect(Collectors.toSet());
    }

    /**
     * Claims the record's runs and sweeps whose owner is not a live member (or that have none). With {@code share},
     * only this member's share of them: each sweep (with its runs) or lone run goes to the live member at its hash.
     * Returns how many runs it took.
     */
    private synchronized int claim(boolean share) {
        if (closed) return 0;
        List<String> alive = new ArrayList<>(live());
        alive.sort(Comparator.naturalOrder());
        int mine = alive.indexOf(me);
        if (mine < 0) return 0;
        SweepStore sweepStore = new SweepStore(registry.archive().store());
        Map<String, String> sweepOfRun = new HashMap<>();
        List<String> sweepIds = new ArrayList<>();
        for (SweepStore.SweepRow s : sweepStore.sweeps()) {
            sweepIds.add(s.id());
            for (SweepStore.PointRow p : sweepStore.points(s.id()))
                if (p.runId() != null && !p.runId().isEmpty()) sweepOfRun.put(p.runId(), s.id());
        }
        Set<String> aliveSet = Set.copyOf(alive);
        List<RunRecord> candidates = new ArrayList<>();
        for (RunRecord r : registry.archive().store().runs()) {
            String group = sweepOfRun.getOrDefault(r.id(), r.id());
            if (share && Math.floorMod(group.hashCode(), alive.size()) != mine) continue;
            if (!registry.has(r.id())) candidates.add(r);
        }
        List<String> adopted = new ArrayList<>();
        for (String s : sweepIds) {
            if (share && Math.floorMod(s.hashCode(), alive.size()) != mine) continue;
            if (take(sweep(s), aliveSet) != Taken.NO) adopted.add(s);
        }
        int taken = 0;
        for (RunRecord r : candidates) {
            pending.add(r.id()); // until it is registered, calls for it answer UNAVAILABLE, not NOT_FOUND
            try {
                Taken t = take(run(r.id()), aliveSet);
                if (t == Taken.NO) continue;
                if (!registry.archive().store().holdRun(r.id())) {
                    // Another server trains it (one in another part of a split cluster): never both.
                    owners.remove(run(r.id()), me);
                    LOG.atWarn()
                            .addKeyValue("run", r.id())
                            .log("the run is held by another server on the record; not taking it");
                    continue;
                }
                // A run that was playing when its member left plays on to where it was going (after the replay:
                // controls wait for it), a sweep's too (its sweep, wherever it is, counts it as playing). After a
                // restart of the whole cluster, runs come back paused, as on one server. Read before the run is
                // registered here: its recovery pauses it, and this member then publishes that it plays no more.
                Long until = t == Taken.FROM_A_MEMBER_GONE ? playing.get(r.id()) : null;
                SimulationRegistry.Entry e = registry.recover(r);
                if (e == null) {
                    registry.archive().store().releaseRun(r.id());
                    continue;
                }
                taken++;
                boolean playOn = until != null;
                if (playOn) {
                    var unused = e.runner().playUntil(until);
                }
                LOG.atInfo()
                        .addKeyValue("run", r.id())
                        .addKeyValue("plays_on", playOn)
                        .log(
                                t == Taken.FROM_A_MEMBER_GONE
                                        ? "took over the run of a member that left, from the record"
                                        : "took the run from the record");
            } finally {
                pending.remove(r.id());
            }
        }
        for (String s : adopted) sweeps.adopt(s);
        return taken;
    }

    /**
     * On the run's thread, at each change of its state: keeps {@code eiscope.playing} and {@code eiscope.states}
     * (without waiting for them).
     */
    private void playingChanged(String id) {
        if (closed || !registry.has(id)) return;
        SimulationRunner runner = registry.get(id).runner();
        SimulationState s = runner.state();
        if (s == SimulationState.RUNNING || s == SimulationState.QUEUED) playing.setAsync(id, runner.pausesAt());
        else playing.removeAsync(id);
        states.setAsync(id, s.name() + " " + runner.step());
    }

    /** Keeps {@link #stateCopy}, and tells the sweeps that a run changed. */
    private final class StateListener
            implements com.hazelcast.map.listener.EntryAddedListener<String, String>,
                    com.hazelcast.map.listener.EntryUpdatedListener<String, String>,
                    com.hazelcast.map.listener.EntryRemovedListener<String, String> {
        @Override
        public void entryAdded(com.hazelcast.core.EntryEvent<String, String> e) {
            copyState(e.getKey(), e.getValue());
        }

        @Override
        public void entryUpdated(com.hazelcast.core.EntryEvent<String, String> e) {
            copyState(e.getKey(), e.getValue());
        }

        @Override
        public void entryRemoved(com.hazelcast.core.EntryEvent<String, String> e) {
            stateCopy.remove(e.getKey());
            madeElsewhere.remove(e.getKey());
            if (sweeps != null) sweeps.runChanged();
        }
    }

    private void copyState(String id, String v) {
        try {
            int space = v.indexOf(' ');
            stateCopy.put(
                    id,
                    new RunState(
                            SimulationState.valueOf(v.substring(0, space)), Long.parseLong(v.substring(space + 1))));
        } catch (RuntimeException malformed) {
            return; // a member of another version
        }
        madeElsewhere.remove(id);
        if (sweeps != null) sweeps.runChanged();
    }

    /** Run {@code id}'s state as its member last published it; a run made for a sweep, not heard of yet: PAUSED. */
    RunState runState(String id) {
        RunState s = stateCopy.get(id);
        if (s == null && madeElsewhere.contains(id)) return new RunState(SimulationState.PAUSED, 0);
        return s;
    }

    /** A run this member had made on another member for a sweep (until its first state comes). */
    void madeElsewhere(String id) {
        if (!stateCopy.containsKey(id)) madeElsewhere.add(id);
    }

    private enum Taken {
        NO,
        UNOWNED,
        FROM_A_MEMBER_GONE
    }

    /** Makes this member the owner of {@code key} if it has none or a member that is gone. */
    private Taken take(String key, Set<String> alive) {
        String owner = owners.get(key);
        if (owner == null) return owners.putIfAbsent(key, me) == null ? Taken.UNOWNED : Taken.NO;
        if (owner.equals(me) || alive.contains(owner)) return Taken.NO;
        return owners.replace(key, owner, me) ? Taken.FROM_A_MEMBER_GONE : Taken.NO;
    }

    private Void publish() {
        if (closed) return null;
        int playing = 0, runs = 0;
        Set<String> mine = new java.util.HashSet<>();
        for (SimulationRegistry.Entry e : registry.list()) {
            runs++;
            mine.add(run(e.runner().id()));
            var s = e.runner().state();
            if (s == SimulationState.RUNNING || s == SimulationState.QUEUED) playing++;
        }
        members.set(me, new Load(me, host, port, playing, runs).encoded());
        // This member trains these runs (it holds their locks on the record): after a split cluster merges, the map
        // may have kept another part's entry; put this one back.
        if (!mine.isEmpty()) {
            Map<String, String> known = owners.getAll(mine);
            Map<String, String> fix = new HashMap<>();
            for (String key : mine) if (!me.equals(known.get(key))) fix.put(key, me);
            if (!fix.isEmpty()) owners.putAll(fix);
        }
        refresh();
        return null;
    }

    private void refresh() {
        Set<String> alive = live();
        Map<String, Load> d = new HashMap<>();
        for (var e : members.getAll(alive).entrySet()) {
            try {
                d.put(e.getKey(), Load.parse(e.getKey(), e.getValue()));
            } catch (RuntimeException ignored) {
                // a member from another version: skip it
            }
        }
        directory = d;
    }

    /**
     * Where to send a call for {@code key} (a {@link #run} or {@link #sweep}): null when this member should answer it
     * (it owns it, or nobody does and the answer is NOT_FOUND), else the owning member's address. Fails UNAVAILABLE
     * when the owner left and no survivor has taken over yet.
     */
    Future<SocketAddress> ownerOf(String key) {
        return Future.fromCompletionStage(owners.getAsync(key), vertx.getOrCreateContext())
                .compose(owner -> {
                    if (owner == null || owner.equals(me)) return Future.succeededFuture();
                    Load l = directory.get(owner);
                    if (l == null)
                        return Future.failedFuture(new ApiException(
                                GrpcStatus.UNAVAILABLE,
                                "the cluster member that holds " + key.replace(':', ' ')
                                        + " has left; another member takes it over within seconds: retry"));
                    return Future.succeededFuture(l.socket());
                });
    }

    /** True when this member holds {@code key} (a run in its registry, or a sweep it plays): no need to ask. */
    boolean holds(String key) {
        if (key.startsWith("run:")) return registry != null && registry.has(key.substring(4));
        return sweeps != null && sweeps.has(key.substring(key.indexOf(':') + 1));
    }

    /** The other live members' addresses, for calls every member answers in part (lists). */
    List<SocketAddress> others() {
        return directory.values().stream()
                .filter(l -> !l.member().equals(me))
                .sorted(Comparator.comparing(Load::member))
                .map(Load::socket)
                .toList();
    }

    /**
     * The least loaded member for a new run or sweep (fewest playing runs, then fewest runs; this one on a tie),
     * or null for this one. Counts the placement at once, so a burst of creations spreads before the next publish.
     */
    synchronized SocketAddress placement(int runs) {
        Load best = directory.get(me);
        for (Load l : directory.values()) {
            if (best == null
                    || l.playing() < best.playing()
                    || (l.playing() == best.playing() && l.runs() < best.runs())) best = l;
        }
        if (best == null) return null;
        Map<String, Load> d = new HashMap<>(directory);
        d.put(best.member(), new Load(best.member(), best.host(), best.port(), best.playing(), best.runs() + runs));
        directory = d;
        return best.member().equals(me) ? null : best.socket();
    }

    void close() {
        closed = true;
        if (timer >= 0) vertx.cancelTimer(timer);
        var unused = peers.close();
    }
}
