package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Matrix;
import java.util.Arrays;

/**
 * Which elements of one parameter tensor are pruned. Pruned elements are held at exactly 0 by
 * {@link Parameter#project()}, which every model runs after every learning-rule update, so a
 * mask persists through all later learning whatever the rule (its momentum or moment buffers
 * may keep pushing, the projection puts the weight back to 0). Masks only grow; {@link #clear}
 * restores plasticity. Mutable, owned by its parameter, confined to the simulation's thread.
 */
public final class PruningMask {
    private boolean[] pruned;
    private int count;
    /** The pruned elements' indices, ascending, for {@link #apply(Matrix)}; null until asked and after a change. */
    private int[] indices;

    /** True when element {@code i} (row-major) is pruned. */
    public boolean isPruned(int i) {
        return pruned != null && pruned[i];
    }

    /** Number of pruned elements. */
    public int count() {
        return count;
    }

    /** Marks element {@code i} of a tensor of {@code size} elements as pruned; returns false if it already was. */
    public boolean prune(int i, int size) {
        if (pruned == null) pruned = new boolean[size];
        if (pruned[i]) return false;
        pruned[i] = true;
        count++;
        indices = null;
        return true;
    }

    /**
     * Sets every pruned element of {@code value} to 0; the rest is not modified. Visits the pruned elements alone
     * (their indices, kept until the mask changes): an update in place runs this after its pass
     * ({@code Momentum}), where a scan of every flag cost as much as the pass.
     */
    public void apply(Matrix value) {
        if (count == 0) return;
        int[] at = indices;
        if (at == null) {
            at = new int[count];
            for (int i = 0, k = 0; k < count; i++) if (pruned[i]) at[k++] = i;
            indices = at;
        }
        for (int i : at) value.set(i, 0f);
    }

    /**
     * Sets {@code chunk[i]} to 0 where element {@code offset + i} is pruned, for {@code i < length}:
     * {@link #apply} on a chunk of the tensor copied to the heap (a fused update's pass).
     */
    public void apply(float[] chunk, int offset, int length) {
        if (count == 0) return;
        boolean[] p = pruned;
        for (int i = 0; i < length; i++) if (p[offset + i]) chunk[i] = 0f;
    }

    /** Unprunes everything. */
    public void clear() {
        pruned = null;
        count = 0;
        indices = null;
    }

    /** A copy of the pruned flags (all false when nothing is pruned), for snapshots. */
    public boolean[] toArray(int size) {
        return pruned == null ? new boolean[size] : Arrays.copyOf(pruned, size);
    }

    /** The pruned flags as bytes, 1 where pruned (all 0 when nothing is), for state dicts. */
    public byte[] toBytes(int size) {
        byte[] out = new byte[size];
        if (pruned != null) for (int i = 0; i < size; i++) out[i] = (byte) (pruned[i] ? 1 : 0);
        return out;
    }

    /** Replaces the mask by {@code flags} (not kept): element {@code i} is pruned where {@code flags[i] != 0}. */
    public void copyFrom(byte[] flags) {
        boolean[] next = new boolean[flags.length];
        int n = 0;
        for (int i = 0; i < flags.length; i++) {
            next[i] = flags[i] != 0;
            if (next[i]) n++;
        }
        pruned = n == 0 ? null : next;
        count = n;
        indices = null;
    }

    /** Replaces the mask by {@code flags} (copied), as from {@link #toArray}. */
    public void copyFrom(boolean[] flags) {
        clear();
        for (int i = 0; i < flags.length; i++) if (flags[i]) prune(i, flags.length);
    }
}
