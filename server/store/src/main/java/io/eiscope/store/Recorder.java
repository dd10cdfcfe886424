package io.eiscope.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The write-behind path of the run record. Simulation threads hand over scalar points, events
 * and intervention-log entries ({@code offer...}: never blocks, never does I/O); one writer
 * thread commits them in batched transactions at most every {@code flushMillis} (sooner when
 * the queue fills or someone waits on {@link #flush}).
 *
 * <p>Memory is bounded: at most {@code capacity} points wait in the queue. Past that, a new
 * point of a series replaces the newest waiting point of the same series (kept aside, one per
 * series) and the run's merged-sample count grows, so a slow disk costs counted samples, never
 * a blocked step or a silent gap. Events and log entries are never merged (they are rare and
 * a replay needs every one). Order is kept per series, and a log entry is committed no later
 * than the points of the steps after it.
 */
public final class Recorder implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Recorder.class);
    /** Default bound on waiting points (about 5 MB). */
    public static final int DEFAULT_CAPACITY = 65_536;

    public static final long DEFAULT_FLUSH_MILLIS = 100;
    private static final int MAX_BATCH = 50_000;

    private sealed interface Item permits Point, Event, LogEntry, Truncate, Barrier {}

    private record Point(String runId, String observable, String layer, long step, long wallNanos, double value)
            implements Item {
        String key() {
            return runId + '\u0000' + observable + '\u0000' + layer;
        }
    }

    private record Event(String runId, long step, long wallNanos, String kind, String state, String message)
            implements Item {}

    private record LogEntry(String runId, int position, long step, byte[] command) implements Item {}

    private record Truncate(String runId) implements Item {}

    private record Barrier(CompletableFuture<Void> done) implements Item {}

    private final RunStore store;
    private final int capacity;
    private final long flushMillis;
    private final Thread thread;

    // Guarded by lock.
    private final Object lock = new Object();
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private int queuedPoints;
    private final Map<String, Point> overflow = new LinkedHashMap<>();
    private boolean urgent;
    private boolean closed;

    private final Map<String, AtomicLong> merged = new ConcurrentHashMap<>();
    private final Set<String> forgotten = ConcurrentHashMap.newKeySet(); // deleted runs: their late items are dropped
    private final Map<String, Long> lastStep = new ConcurrentHashMap<>(); // committed

    // Writer thread only.
    private final Map<String, Long> seriesIds = new HashMap<>();
    private final Map<Long, Chunk> open = new HashMap<>();
    private final Map<String, Long> eventSeq = new HashMap<>();

    public Recorder(RunStore store, int capacity, long flushMillis) {
        if (capacity < 1) throw new IllegalArgumentException("recorder capacity must be >= 1, got " + capacity);
        this.store = store;
        this.capacity = capacity;
        this.flushMillis = flushMillis;
        this.thread = new Thread(this::run, "eiscope-recorder");
        thread.setDaemon(true);
        thread.start();
    }

    /** A scalar sample; never blocks. */
    public void offerPoint(String runId, String observable, String layer, long step, long wallNanos, double value) {
        if (forgotten.contains(runId)) return;
        Point p = new Point(runId, observable, layer, step, wallNanos, value);
        synchronized (lock) {
            if (closed) return;
            if (queuedPoints >= capacity || (!overflow.isEmpty() && overflow.containsKey(p.key()))) {
                if (overflow.put(p.key(), p) != null)
                    merged.computeIfAbsent(runId, k -> new AtomicLong()).incrementAndGet();
            } else {
                queue.add(p);
                queuedPoints++;
            }
            if (queuedPoints == capacity / 4) lock.notifyAll();
        }
    }

    /** Scalar points waiting to be written (the write-behind queue's depth). */
    public int queued() {
        synchronized (lock) {
            return queuedPoints;
        }
    }

    /** A state change or intervention event; never blocks, never merged. */
    public void offerEvent(String runId, long step, long wallNanos, String kind, String state, String message) {
        enqueue(new Event(runId, step, wallNanos, kind, state, message), false);
    }

    /** Entry {@code position} of the run's intervention log (opaque command bytes); never merged. */
    public void offerIntervention(String runId, int position, long step, byte[] command) {
        enqueue(new LogEntry(runId, position, step, command), false);
    }

    /**
     * The run went back to step 0: its history, events and log are dropped, in order with what
     * follows. Its checkpoints are left to their writer ({@link Checkpoints#deleteAll}): deleting
     * their files here raced with a checkpoint being written, and a failed deletion lost the batch.
     */
    public void offerTruncate(String runId) {
        enqueue(new Truncate(runId), true);
    }

    /** Completes once everything offered before this call is committed (or failed to be). */
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (lock) {
            if (closed) {
                done.complete(null);
                return done;
            }
            queue.add(new Barrier(done));
            urgent = true;
            lock.notifyAll();
        }
        return done;
    }

    /** Drops everything offered for the run from now on, and what still waits (the run is being deleted). */
    public void forget(String runId) {
        forgotten.add(runId);
    }

    /** True once {@link #forget} was called for the run. */
    public boolean forgotten(String runId) {
        return forgotten.contains(runId);
    }

    private void enqueue(Item item, boolean urgently) {
        synchronized (lock) {
            if (closed) return;
            queue.add(item);
            if (urgently) {
                urgent = true;
                lock.notifyAll();
            }
        }
    }

    /** Samples of the run merged into later ones since this server started (plus what the record held before). */
    public long merged(String runId) {
        AtomicLong m = merged.get(runId);
        return m == null ? 0 : m.get();
    }

    /** Seeds the merged count of a run recovered from the record. */
    public void restoreMerged(String runId, long count) {
        merged.computeIfAbsent(runId, k -> new AtomicLong()).set(count);
    }

    /** The last step committed for the run by this recorder (empty map entry: none yet). */
    public Long committedStep(String runId) {
        return lastStep.get(runId);
    }

    private void run() {
        while (true) {
            List<Item> batch = new ArrayList<>();
            synchronized (lock) {
                long deadline = System.currentTimeMillis() + flushMillis;
                while (!closed && !urgent && queuedPoints < capacity / 4) {
                    long wait = deadline - System.currentTimeMillis();
                    if (wait <= 0 && (!queue.isEmpty() || !overflow.isEmpty())) break;
                    try {
                        lock.wait(Math.max(1, wait <= 0 ? flushMillis : wait));
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                urgent = false;
                while (batch.size() < MAX_BATCH && !queue.isEmpty()) {
                    Item i = queue.poll();
                    if (i instanceof Point) queuedPoints--;
                    batch.add(i);
                }
                if (queue.isEmpty()) { // the overflow is newer than everything queued for its series: it goes last
                    batch.addAll(overflow.values());
                    overflow.clear();
                }
                if (batch.isEmpty() && closed) return;
            }
            if (!batch.isEmpty()) commit(batch);
        }
    }

    private void commit(List<Item> batch) {
        try {
            store.write(c -> {
                write(c, batch);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.atError()
                    .addKeyValue("items", batch.size())
                    .setCause(e)
                    .log("the run record could not commit a batch; its items are lost");
            open.clear(); // reloaded lazily: the database is the truth
        }
        for (Item i : batch) if (i instanceof Barrier b) b.done().complete(null);
    }

    private void write(Connection c, List<Item> batch) throws SQLException {
        for (String gone : forgotten) forgetCached(gone);
        Set<Chunk> touched = new HashSet<>();
        Map<String, Long> runSteps = new HashMap<>();
        Set<String> truncated = new HashSet<>(); // runs reset in this batch: their last step starts again from 0
        Map<String, Event> states = new HashMap<>();
        try (PreparedStatement events = c.prepareStatement(Sql.upsert(
                        "events", List.of("run_id", "seq"), List.of("step", "wall_ns", "kind", "state", "message")));
                PreparedStatement log = c.prepareStatement(
                        Sql.upsert("interventions", List.of("run_id", "position"), List.of("step", "command")))) {
            for (Item item : batch) {
                if (forgotten.contains(runOf(item))) continue;
                if (item instanceof Point p) {
                    Chunk chunk = chunkFor(c, p);
                    if (chunk.size > 0 && p.step() <= chunk.steps[chunk.size - 1]) continue; // never a duplicate step
                    chunk.add(p.step(), p.value(), p.wallNanos());
                    touched.add(chunk);
                    runSteps.merge(p.runId(), p.step(), Math::max);
                } else if (item instanceof Event e) {
                    events.setString(1, e.runId());
                    events.setLong(2, nextSeq(c, e.runId()));
                    events.setLong(3, e.step());
                    events.setLong(4, e.wallNanos());
                    events.setString(5, e.kind());
                    events.setString(6, e.state());
                    events.setString(7, e.message());
                    events.executeUpdate();
                    if (e.kind().equals("state")) states.put(e.runId(), e);
                } else if (item instanceof LogEntry l) {
                    log.setString(1, l.runId());
                    log.setInt(2, l.position());
                    log.setLong(3, l.step());
                    log.setBytes(4, l.command());
                    log.executeUpdate();
                } else if (item instanceof Truncate t) {
                    touched.removeIf(ch -> seriesIds.entrySet().stream()
                            .anyMatch(s ->
                                    s.getValue() == ch.seriesId && s.getKey().startsWith(t.runId() + '\u0000')));
                    truncate(c, t.runId());
                    runSteps.put(t.runId(), 0L);
                    truncated.add(t.runId());
                }
            }
        }
        try (PreparedStatement up = c.prepareStatement(Sql.upsert(
                        "scalar_chunks",
                        List.of("series_id", "first_step"),
                        List.of("last_step", "points", "steps", "vals", "walls")));
                PreparedStatement sum = c.prepareStatement(Sql.upsert(
                        "chunk_summaries",
                        List.of("series_id", "first_step"),
                        List.of("last_step", "points", "summary")))) {
            for (Chunk ch : touched) {
                up.setLong(1, ch.seriesId);
                up.setLong(2, ch.steps[0]);
                up.setLong(3, ch.steps[ch.size - 1]);
                up.setInt(4, ch.size);
                up.setBytes(5, ch.stepBytes());
                up.setBytes(6, ch.valueBytes());
                up.setBytes(7, ch.wallBytes());
                up.addBatch();
                sum.setLong(1, ch.seriesId);
                sum.setLong(2, ch.steps[0]);
                sum.setLong(3, ch.steps[ch.size - 1]);
                sum.setInt(4, ch.size);
                sum.setBytes(5, ChunkSummary.of(ch.steps, ch.values, ch.walls, ch.size));
                sum.addBatch();
            }
            up.executeBatch();
            sum.executeBatch();
        }
        // The last step only grows (a deferred measurement may land with an older step), except after a reset.
        try (PreparedStatement run = c.prepareStatement(
                        "UPDATE runs SET last_step = CASE WHEN ? OR last_step < ? THEN ? ELSE last_step END,"
                                + " merged_samples = ? WHERE id = ?");
                PreparedStatement state =
                        c.prepareStatement("UPDATE runs SET state = ?, status_message = ? WHERE id = ?")) {
            for (Map.Entry<String, Long> e : runSteps.entrySet()) {
                boolean reset = truncated.contains(e.getKey());
                run.setBoolean(1, reset);
                run.setLong(2, e.getValue());
                run.setLong(3, e.getValue());
                run.setLong(4, merged(e.getKey()));
                run.setString(5, e.getKey());
                run.executeUpdate();
                if (reset) lastStep.put(e.getKey(), e.getValue());
                else lastStep.merge(e.getKey(), e.getValue(), Math::max);
            }
            for (Event e : states.values()) {
                state.setString(1, e.state());
                state.setString(2, e.message());
                state.setString(3, e.runId());
                state.executeUpdate();
            }
        }
    }

    private static String runOf(Item item) {
        if (item instanceof Point p) return p.runId();
        if (item instanceof Event e) return e.runId();
        if (item instanceof LogEntry l) return l.runId();
        if (item instanceof Truncate t) return t.runId();
        return "";
    }

    /** The open chunk of the point's series (a new one when full or after a restart). */
    private Chunk chunkFor(Connection c, Point p) throws SQLException {
        String key = p.key();
        Long id = seriesIds.get(key);
        if (id == null) {
            try (PreparedStatement ins =
                    c.prepareStatement(Sql.insertIfAbsent("series", List.of("run_id", "observable", "layer")))) {
                ins.setString(1, p.runId());
                ins.setString(2, p.observable());
                ins.setString(3, p.layer());
                ins.executeUpdate();
            }
            try (PreparedStatement q =
                    c.prepareStatement("SELECT id FROM series WHERE run_id = ? AND observable = ? AND layer = ?")) {
                q.setString(1, p.runId());
                q.setString(2, p.observable());
                q.setString(3, p.layer());
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) throw new SQLException("run '" + p.runId() + "' is not in the record");
                    id = rs.getLong(1);
                }
            }
            seriesIds.put(key, id);
        }
        Chunk ch = open.get(id);
        if (ch == null || ch.full()) {
            ch = new Chunk(id);
            open.put(id, ch);
        }
        return ch;
    }

    private long nextSeq(Connection c, String runId) throws SQLException {
        Long next = eventSeq.get(runId);
        if (next == null) {
            try (PreparedStatement q =
                    c.prepareStatement("SELECT COALESCE(MAX(seq), -1) + 1 FROM events WHERE run_id = ?")) {
                q.setString(1, runId);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    next = rs.getLong(1);
                }
            }
        }
        eventSeq.put(runId, next + 1);
        return next;
    }

    /** Drops the writer's cached series ids, open chunks and event counter of a run. Writer thread only. */
    private void forgetCached(String runId) {
        seriesIds.entrySet().removeIf(e -> {
            if (!e.getKey().startsWith(runId + '\u0000')) return false;
            open.remove(e.getValue());
            return true;
        });
        eventSeq.remove(runId);
    }

    private void truncate(Connection c, String runId) throws SQLException {
        forgetCached(runId);
        for (String table : List.of("series", "events", "interventions")) {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM " + table + " WHERE run_id = ?")) {
                d.setString(1, runId);
                d.executeUpdate();
            }
        }
        merged.remove(runId);
    }

    /** Commits what is waiting, then stops the writer thread. */
    @Override
    public void close() {
        CompletableFuture<Void> last = flush();
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            last.get(30, java.util.concurrent.TimeUnit.SECONDS);
            thread.join(30_000);
        } catch (Exception e) {
            LOG.warn("the recorder did not finish writing: {}", e.toString());
        }
    }
}
