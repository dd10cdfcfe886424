package io.eiscope.engine.task;

import io.eiscope.engine.random.Rng;

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

    private record Position(long rngState, int[] permutation, int cursor) implements Task.State {}

    public Task.State snapshot() {
        return new Position(rng.state(), permutation.clone(), cursor);
    }

    /** Returns to a position taken by {@link #snapshot} of an order over the same examples. */
    public void restore(Task.State state) {
        Position p = (Position) state;
        if (p.permutation().length != size)
            throw new IllegalArgumentException("data order over " + p.permutation().length + " examples, this task has " + size);
        rng.setState(p.rngState());
        permutation = p.permutation().clone();
        cursor = p.cursor();
    }
}
