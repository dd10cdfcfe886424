package io.eiscope.engine.sim;

import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * How many runs of a server play at once, and the queue of those waiting to (issue 14, "Admission and
 * fairness"). A run that is told to play, step or run until takes a slot if one is free and plays; otherwise
 * it waits QUEUED, first come first served. When a playing run leaves its slot (it pauses, finishes, diverges,
 * fails or is deleted), the first queued run gets the slot and is told so through {@link Member#admitted()}.
 *
 * <p>Why a bound at all, when playing runs share the executor's threads in time slices anyway: each of P runs
 * playing on C cores advances at about C/P of its own speed, so past a few runs per core every run's curves
 * crawl and none finishes early; queued runs wait their turn and the first ones finish as if alone.
 *
 * <p>Thread-safe. Callbacks run on the thread that freed the slot, after the lock is released, and must not
 * block (a runner's queues a command to itself).
 */
public final class Admission {

    /** A run that can be admitted; compared by identity. */
    public interface Member {
        /** It holds a slot now, after waiting in the queue; called once per admission, off the lock. */
        void admitted();
    }

    private final int slots;
    private final Set<Member> playing = new HashSet<>();
    private final LinkedHashMap<Member, Long> queued = new LinkedHashMap<>(); // -> System.nanoTime() on entry
    private long waits; // runs that left the queue (admitted or not), for metrics
    private long waitedNanos;
    private boolean closed; // the server is stopping: freed slots are not handed on

    /**
     * @param slots runs that may play at once; 0: no bound (every run plays when told to, nothing is tracked)
     */
    public Admission(int slots) {
        if (slots < 0) throw new IllegalArgumentException("slots must be >= 0 (0: no bound), got " + slots);
        this.slots = slots;
    }

    /** Runs that may play at once; 0: no bound. */
    public int slots() {
        return slots;
    }

    /**
     * Takes a slot for {@code m} if it has one or one is free (true); otherwise {@code m} waits at the end of the
     * queue, or keeps its place there (false).
     */
    public synchronized boolean enter(Member m) {
        if (slots == 0 || playing.contains(m)) return true;
        if (queued.containsKey(m)) return false;
        if (playing.size() < slots) {
            playing.add(m);
            return true;
        }
        queued.put(m, System.nanoTime());
        return false;
    }

    /**
     * Gives up {@code m}'s slot or its place in the queue (nothing when it has neither); a freed slot goes to the
     * first queued run, which is told so on this thread.
     */
    public void leave(Member m) {
        Member next = null;
        synchronized (this) {
            Long since = queued.remove(m);
            if (since != null) {
                countWait(since);
            } else if (playing.remove(m) && !closed) {
                Iterator<Map.Entry<Member, Long>> first = queued.entrySet().iterator();
                if (first.hasNext()) {
                    Map.Entry<Member, Long> e = first.next();
                    first.remove();
                    countWait(e.getValue());
                    next = e.getKey();
                    playing.add(next);
                }
            }
        }
        if (next != null) next.admitted();
    }

    private void countWait(long sinceNanos) {
        waits++;
        waitedNanos += System.nanoTime() - sinceNanos;
    }

    /**
     * Hands no more slots on: the server is stopping and pauses every run, and a queued run must not start in
     * between (it stays queued until its own pause, which says it left the queue).
     */
    public synchronized void close() {
        closed = true;
    }

    /** Whether {@code m} holds a slot (with a bound: a run admitted but not yet running holds one already). */
    public synchronized boolean holdsSlot(Member m) {
        return playing.contains(m);
    }

    /** 1 for the first queued run, ..., 0 when {@code m} is not queued. O(queue length). */
    public synchronized int position(Member m) {
        if (!queued.containsKey(m)) return 0;
        int i = 1;
        for (Member q : queued.keySet()) {
            if (q == m) return i;
            i++;
        }
        throw new AssertionError("unreachable: the member is queued");
    }

    /** Runs waiting now. */
    public synchronized int queuedCount() {
        return queued.size();
    }

    /** Runs that left the queue so far, admitted or paused, deleted or reset while waiting. */
    public synchronized long completedWaits() {
        return waits;
    }

    /** Time those runs spent queued, in all. */
    public synchronized long waitedNanos() {
        return waitedNanos;
    }
}
