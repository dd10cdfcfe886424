package io.eiscope.engine.task;

import io.eiscope.engine.tensor.Matrix;

/**
 * A supervised classification task: a training stream of minibatches in a seeded order and
 * a held-out set. Confined to the simulation's thread.
 */
public interface Task {
    int inputSize();

    int classes();

    int trainSize();

    int testSize();

    /** Fills {@code x} (batch x inputSize) and {@code labels} with the next training batch. */
    void nextBatch(Matrix x, int[] labels);

    /** Fills {@code x} and {@code labels} with held-out examples {@code from .. from + x.rows - 1}. */
    void testBatch(int from, Matrix x, int[] labels);

    /** Back to the first batch of the first epoch of this seed. */
    void reset();

    /** The position of a task in its data order; opaque, immutable. */
    interface State {}

    /** The data-order position (permutation, cursor, random stream), for snapshots and forks. */
    default State snapshot() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be snapshotted yet");
    }

    /** Back to a position taken by {@link #snapshot} of a task built from the same spec and seed. */
    default void restore(State state) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be restored yet");
    }
}
