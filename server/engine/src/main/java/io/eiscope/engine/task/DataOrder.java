package io.eiscope.engine.task;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.sim.StateDict;

/**
 * The order in which a task visits its training examples: a permutation drawn from the
 * simulation's "data" stream, reshuffled at the start of every epoch; a batch that crosses an
 * epoch end continues in the next epoch's order. Its position can be snapshotted and restored,
 * so forks and replays see the same batches. Confined to the simulation's thread.
 */
public final class DataOrder {
    private final long seed;
    private final int size;
    private Rng rng;
    private int[] permutation;
    private int cursor;

    /** The first epoch's order over {@code size} examples for {@code seed}. */
    public DataOrder(long seed, int size) {
        if (size < 1) throw new IllegalArgumentException("a training set needs at least one example, got " + size);
        this.seed = seed;
        this.size = size;
        reset();
    }

    /** Back to the first example of the first epoch. */
    public void reset() {
        rng = Rng.derive(seed, "data");
        permutation = new int[size];
        for (int i = 0; i < size; i++) permutation[i] = i;
        rng.shuffle(permutation);
        cursor = 0;
    }

    /** The index of the next training example. */
    public int next() {
        if (cursor == permutation.length) {
            rng.shuffle(permutation);
            cursor = 0;
        }
        return permutation[cursor++];
    }

    private record Position(long rngState, int[] permutation, int cursor) implements Task.State {
        /** {@code rng_state} and {@code cursor} (int64 {@code [1]}), {@code permutation} (int32 {@code [size]}, shared: both are immutable). */
        @Override
        public void save(StateDict dict, String prefix) {
            dict.putLongs(prefix + "rng_state", new long[] {rngState});
            dict.putInts(prefix + "permutation", permutation);
            dict.putLongs(prefix + "cursor", new long[] {cursor});
        }
    }

    public Task.State snapshot() {
        return new Position(rng.state(), permutation.clone(), cursor);
    }

    /**
     * The position that {@link Task.State#save} wrote for an order over as many examples.
     *
     * @throws IllegalArgumentException naming the entry that is missing or does not fit
     */
    public Task.State readState(StateDict dict, String prefix) {
        long rngState = dict.longValue(prefix + "rng_state");
        String name = prefix + "permutation";
        int[] permutation = dict.ints(name);
        dict.requireShape(name, size);
        boolean[] seen = new boolean[size];
        for (int i : permutation) {
            if (i < 0 || i >= size || seen[i])
                throw new IllegalArgumentException(
                        "checkpoint entry '" + name + "' is not a permutation of 0.." + (size - 1));
            seen[i] = true;
        }
        long cursor = dict.longValue(prefix + "cursor");
        if (cursor < 0 || cursor > size)
            throw new IllegalArgumentException(
                    "checkpoint entry '" + prefix + "cursor' must be in [0, " + size + "], got " + cursor);
        return new Position(rngState, permutation, (int) cursor);
    }

    /** Returns to a position taken by {@link #snapshot} or read by {@link #readState} of an order over the same examples. */
    public void restore(Task.State state) {
        Position p = (Position) state;
        if (p.permutation().length != size)
            throw new IllegalArgumentException(
                    "data order over " + p.permutation().length + " examples, this task has " + size);
        rng.setState(p.rngState());
        permutation = p.permutation().clone();
        cursor = p.cursor();
    }
}
