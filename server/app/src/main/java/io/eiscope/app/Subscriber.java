package io.eiscope.app;

import com.google.protobuf.ByteString;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.Scalar;
import io.eiscope.api.v1.WatchResponse;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One subscription (a Watch stream, or one subscription of a Session). Frames are offered from simulation threads and written on the stream's
 * event loop, under back-pressure:
 * <ul>
 *   <li>scalars and events queue losslessly up to the configured capacity; past it, a new
 *       scalar is averaged into the newest queued sample of the same observable, whose
 *       {@code merged_count} says how many samples it stands for;</li>
 *   <li>a live view wants the present: once the oldest waiting frame is more than
 *       {@code maxLagMillis} old, every observable's waiting samples are merged the same way
 *       into its newest (events stay as they are), so what the client gets next is at most
 *       about that far behind, and the counts say what was merged. Frames wait that long when
 *       the client's transport is full, or when the event loop that writes them is behind (on
 *       a machine whose cores are taken by other work). The first message after the transport
 *       was full is merged so whatever its age: the client is what holds the stream back, and
 *       a message of many samples, which it reads one by one, would keep it behind. A Watch
 *       from a step (held for its history) is never merged this way: it promises every
 *       value;</li>
 *   <li>tensors and histograms are latest-wins per (observable, layer), with a count of the
 *       frames they replaced, and at most {@code max_hz} per key.</li>
 * </ul>
 * So a client that stops reading costs bounded memory and never slows a simulation. Each
 * event-loop turn writes at most {@link #MAX_WRITES_PER_TURN} messages, stops on a failed
 * write and waits for a drain when the transport's queue is full. A client that takes nothing
 * for {@code stallMillis} while frames wait is disconnected ({@link FrameWriter#abort}): its
 * queue and the transport's buffers are released.
 */
final class Subscriber {
    static final int MAX_WRITES_PER_TURN = 8;
    static final int MAX_FRAMES_PER_MESSAGE = 512;

    private final WatchFilter filter;
    private final FrameWriter response;
    private final Context context;
    private final Vertx vertx;
    private final Runnable onClose;
    private final int capacity;
    private final long stallMillis; // 0: never disconnect
    private final long maxLagNanos; // 0: merge only past capacity

    // Guarded by this.
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Map<String, Pending> newestScalar = new HashMap<>();
    private final LinkedHashMap<String, EncodedFrame> latest = new LinkedHashMap<>();
    private final Map<String, Integer> dropped = new HashMap<>();
    /** Over all subscribers of the process, for /metrics: latest-wins frames replaced before they were sent, and scalars merged. */
    static final java.util.concurrent.atomic.LongAdder DROPPED = new java.util.concurrent.atomic.LongAdder(),
            MERGED = new java.util.concurrent.atomic.LongAdder(),
            STALLED = new java.util.concurrent.atomic.LongAdder();

    private boolean pumpScheduled;
    private boolean closed;
    private boolean held; // live frames wait until the recorded history is out (Watch from_step)
    private java.util.Iterator<Frame> history = java.util.Collections.emptyIterator();

    // Event loop only.
    private final Map<String, Long> lastSentNanos = new HashMap<>();
    private boolean timerPending;
    private boolean waitingForDrain;
    /** The next batch is the first since the transport was full (the client could not keep up). */
    private boolean afterDrain;

    private boolean stallTimer;
    private long lastProgressNanos = System.nanoTime(); // the last time a message went out to the client

    /** A queued scalar or event; scalars may absorb later samples when the queue is full. */
    private static final class Pending {
        Frame frame;
        /** The published frame with its shared encoding; null once merged (then {@code frame} is encoded when sent). */
        EncodedFrame encoded;

        double sum;
        int count;
        final long queuedNanos;

        Pending(EncodedFrame e, long now) {
            Frame f = e.frame;
            encoded = e;
            frame = f;
            sum = f.hasScalar() ? f.getScalar().getValue() : 0;
            count = 1;
            queuedNanos = now;
        }

        void merge(Frame f) {
            sum += f.getScalar().getValue();
            count++;
            encoded = null;
            frame = f.toBuilder()
                    .setScalar(Scalar.newBuilder().setValue(sum / count).setMergedCount(count))
                    .build();
        }

        /** Takes in an older pending sample of the same observable (itself possibly merged). */
        void absorb(Pending older) {
            sum += older.sum;
            count += older.count;
            encoded = null;
            frame = frame.toBuilder()
                    .setScalar(Scalar.newBuilder().setValue(sum / count).setMergedCount(count))
                    .build();
        }
    }

    Subscriber(
            WatchFilter filter,
            FrameWriter response,
            Context context,
            Vertx vertx,
            int capacity,
            long stallMillis,
            long maxLagMillis,
            Runnable onClose) {
        this.capacity = capacity;
        this.stallMillis = stallMillis;
        this.maxLagNanos = maxLagMillis * 1_000_000L;
        this.filter = filter;
        this.response = response;
        this.context = context;
        this.vertx = vertx;
        this.onClose = onClose;
    }

    WatchFilter filter() {
        return filter;
    }

    /** Holds live frames (queued under the usual policy) until {@link #release}; call before subscribing. */
    void hold() {
        synchronized (this) {
            held = true;
            pumpScheduled = true; // no pump until released
        }
    }

    /** Sends {@code recorded} (the history, in order) first, then the live frames held meanwhile. */
    void release(java.util.Iterator<Frame> recorded) {
        synchronized (this) {
            history = recorded;
            held = false;
            pumpScheduled = false;
        }
        schedulePump();
    }

    /** Thread-safe; called from simulation threads. */
    void offer(Frame f) {
        offer(new EncodedFrame(f));
    }

    /** Thread-safe; called from simulation threads with the one encoding every subscriber of the frame shares. */
    void offer(EncodedFrame e) {
        Frame f = e.frame;
        if (!filter.wants(f)) return;
        String key = f.getObservable() + '/' + f.getLayer();
        synchronized (this) {
            if (closed) return;
            if (f.hasTensor() || f.hasHistogram()) {
                if (latest.put(key, e) != null) {
                    dropped.merge(key, 1, Integer::sum);
                    DROPPED.increment();
                }
            } else {
                long now = System.nanoTime();
                if (!held && waitedPastLagBound(now)) compact();
                queueOrMerge(e, key, now);
            }
            if (pumpScheduled) return;
            pumpScheduled = true;
        }
        context.runOnContext(v -> pump());
    }

    /** Queues a scalar or event, or merges a scalar into the newest of its observable when the queue is full. Under this. */
    private void queueOrMerge(EncodedFrame e, String key, long now) {
        Frame f = e.frame;
        if (queue.size() < capacity || !f.hasScalar() || !newestScalar.containsKey(key)) {
            Pending p = new Pending(e, now);
            queue.add(p);
            if (f.hasScalar()) newestScalar.put(key, p);
        } else {
            newestScalar.get(key).merge(f);
            MERGED.increment();
        }
    }

    /** Whether the oldest waiting frame has waited longer than the lag bound (never, without one). Under this. */
    private boolean waitedPastLagBound(long now) {
        return maxLagNanos > 0 && !queue.isEmpty() && now - queue.peekFirst().queuedNanos > maxLagNanos;
    }

    /** Merges each observable's waiting samples into its newest (which {@code newestScalar} holds); events stay. Under this. */
    private void compact() {
        queue.removeIf(p -> {
            if (!p.frame.hasScalar()) return false;
            Pending newest = newestScalar.get(p.frame.getObservable() + '/' + p.frame.getLayer());
            if (newest == null || newest == p) return false;
            newest.absorb(p);
            MERGED.add(p.count);
            return true;
        });
    }

    /** Number of frames waiting (for tests and metrics). */
    synchronized int backlog() {
        return queue.size() + latest.size();
    }

    private void schedulePump() {
        synchronized (this) {
            if (pumpScheduled || closed) return;
            pumpScheduled = true;
        }
        context.runOnContext(v -> pump());
    }

    /**
     * Writes what is pending, on the event loop. {@code pumpScheduled} stays true while a pump
     * is queued, running or waiting for a drain, so offers never flood the event loop with
     * pump tasks for a client that is not reading.
     */
    private void pump() {
        if (isClosed()) return;
        int writes = 0;
        while (writes < MAX_WRITES_PER_TURN && !response.writeQueueFull()) {
            WatchResponse batch = takeBatch();
            if (batch == null) break;
            response.write(batch).onComplete(ar -> {
                if (ar.succeeded()) lastProgressNanos = System.nanoTime(); // it left: the client is taking frames
                else close();
            });
            writes++;
        }
        if (isClosed()) return;
        if (response.writeQueueFull()) {
            waitingForDrain = true;
            response.onDrain(() -> {
                waitingForDrain = false;
                afterDrain = true;
                if (isClosed()) return; // a drain after the end of the stream
                context.runOnContext(w -> pump());
            });
            watchForStall();
            return;
        }
        if (writes == MAX_WRITES_PER_TURN) {
            context.runOnContext(v -> pump()); // yield the event loop to other streams, then go on
            return;
        }
        boolean more;
        synchronized (this) {
            pumpScheduled = false;
            more = !queue.isEmpty() || history.hasNext();
        }
        if (more) schedulePump();
        else scheduleRateLimitedRetry();
    }

    /** The next message: up to MAX_FRAMES_PER_MESSAGE frames, each as its (shared) encoding; null when none waits. */
    private WatchResponse takeBatch() {
        java.util.List<ByteString> frames = new java.util.ArrayList<>();
        long now = System.nanoTime();
        long interval = filter.minIntervalNanos();
        synchronized (this) {
            if (held) return null;
            while (frames.size() < MAX_FRAMES_PER_MESSAGE && history.hasNext())
                frames.add(history.next().toByteString());
            if (!frames.isEmpty()) return EncodedFrame.watchResponse(frames);
            // After waiting for a drain the client is what holds the stream back: what it reads next
            // is each observable's newest sample, with the count of those it stands for.
            if (maxLagNanos > 0 && (afterDrain || waitedPastLagBound(now))) compact();
            afterDrain = false;
            while (frames.size() < MAX_FRAMES_PER_MESSAGE && !queue.isEmpty()) {
                Pending p = queue.poll();
                String key = p.frame.getObservable() + '/' + p.frame.getLayer();
                if (newestScalar.get(key) == p) newestScalar.remove(key);
                frames.add(p.encoded != null ? p.encoded.bytes() : p.frame.toByteString());
            }
            for (Iterator<Map.Entry<String, EncodedFrame>> it =
                            latest.entrySet().iterator();
                    it.hasNext(); ) {
                Map.Entry<String, EncodedFrame> e = it.next();
                Long last = lastSentNanos.get(e.getKey());
                if (last != null && now - last < interval) continue;
                Integer d = dropped.remove(e.getKey());
                frames.add(d == null ? e.getValue().bytes() : e.getValue().withDropped(d));
                lastSentNanos.put(e.getKey(), now);
                it.remove();
            }
        }
        return frames.isEmpty() ? null : EncodedFrame.watchResponse(frames);
    }

    private void scheduleRateLimitedRetry() {
        synchronized (this) {
            if (latest.isEmpty() || timerPending) return;
        }
        timerPending = true;
        vertx.setTimer(Math.max(1, filter.minIntervalNanos() / 1_000_000), t -> {
            timerPending = false;
            schedulePump();
        });
    }

    /**
     * While the pump waits for a drain, checks that messages still go out: a client that took
     * none for {@code stallMillis} is disconnected. A slow reader makes progress and stays.
     */
    private void watchForStall() {
        if (stallMillis == 0 || stallTimer) return;
        long due = lastProgressNanos + stallMillis * 1_000_000L - System.nanoTime();
        stallTimer = true;
        vertx.setTimer(Math.max(1, due / 1_000_000), t -> {
            stallTimer = false;
            if (!waitingForDrain || isClosed()) return;
            if (System.nanoTime() - lastProgressNanos >= stallMillis * 1_000_000L) disconnectStalled();
            else watchForStall();
        });
    }

    /** The client took nothing for {@code stallMillis}: release what waits for it and reset its stream. */
    private void disconnectStalled() {
        STALLED.increment();
        close();
        response.abort("took none of its frames for " + stallMillis / 1000 + " s (--stalled-reader-seconds)");
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** Releases everything the subscriber holds; idempotent. */
    void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            queue.clear();
            newestScalar.clear();
            latest.clear();
        }
        onClose.run();
    }

    /** Ends the stream normally (the simulation was deleted, or the server stops). */
    void end() {
        close();
        context.runOnContext(v -> response.end());
    }
}
