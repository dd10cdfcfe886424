package io.eiscope.app;

import io.eiscope.engine.sim.Reconstruction;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recent reconstructions of past states, least recently used first out, within a memory budget
 * (each counted as twice its state: parameters, initial values, optimiser buffers and masks, plus
 * the model's working buffers). An entry is lent to one reconstruction at a time; entries of a
 * run that was reset since are never lent again and go first. Thread-safe.
 */
final class ReconstructionCache {
    record Key(String run, long resets, long step) {}

    /** An entry lent out: give it back, or discard it when it was changed. */
    record Lease(Key key, Reconstruction state) {}

    private static final class Entry {
        final Reconstruction state;
        final long bytes;
        boolean lent;

        Entry(Reconstruction state, long bytes) {
            this.state = state;
            this.bytes = bytes;
        }
    }

    private final long budgetBytes;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    ReconstructionCache(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** The cached state of {@code run} (since its {@code resets}-th reset) nearest at or before {@code step}, lent; null: none. */
    synchronized Lease borrow(String run, long resets, long step) {
        Map.Entry<Key, Entry> best = null;
        for (Map.Entry<Key, Entry> m : entries.entrySet()) {
            Key k = m.getKey();
            if (!k.run().equals(run) || k.resets() != resets || k.step() > step || m.getValue().lent) continue;
            if (best == null || k.step() > best.getKey().step()) best = m;
        }
        if (best == null) return null;
        best.getValue().lent = true;
        entries.get(best.getKey()); // most recently used
        return new Lease(best.getKey(), best.getValue().state);
    }

    synchronized void giveBack(Lease lease) {
        Entry e = entries.get(lease.key());
        if (e != null) e.lent = false;
        evict();
    }

    /** Drops a lent entry (its state moved on, or the run was reset). */
    synchronized void discard(Lease lease) {
        Entry e = entries.remove(lease.key());
        if (e != null) bytes -= e.bytes;
    }

    /** Keeps {@code state} of {@code run} at its step, evicting the least recently used beyond the budget. */
    void put(String run, long resets, Reconstruction state) {
        long size = 2 * state.stateBytes(); // outside the lock: it copies the state once
        synchronized (this) {
            if (size > budgetBytes) return;
            Key key = new Key(run, resets, state.step());
            if (entries.containsKey(key)) return; // another reconstruction of the same step got there first
            entries.entrySet().removeIf(m -> {
                boolean stale = m.getKey().run().equals(run) && m.getKey().resets() != resets && !m.getValue().lent;
                if (stale) bytes -= m.getValue().bytes;
                return stale;
            });
            entries.put(key, new Entry(state, size));
            bytes += size;
            evict();
        }
    }

    private void evict() {
        for (Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
                bytes > budgetBytes && it.hasNext(); ) {
            Map.Entry<Key, Entry> m = it.next();
            if (m.getValue().lent) continue;
            bytes -= m.getValue().bytes;
            it.remove();
        }
    }

    synchronized void forget(String run) {
        entries.entrySet().removeIf(m -> {
            boolean of = m.getKey().run().equals(run);
            if (of) bytes -= m.getValue().bytes;
            return of;
        });
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int size() {
        return entries.size();
    }
}
