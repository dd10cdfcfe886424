package io.eiscope.engine.task;

import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.tensor.Matrix;

/**
 * A task whose examples are held in memory and indexed: the training examples {@code 0 ..
 * trainSize - 1} are visited in the seeded {@link DataOrder} of the simulation's "data" stream
 * (reshuffled every epoch; a batch that crosses an epoch end continues in the next epoch's
 * order), and held-out example {@code i} is example {@code heldOutOffset() + i}. Subclasses
 * say how one example is written into a batch row. Confined to the simulation's thread.
 */
abstract class StoredExamples implements Task {
    private final long seed;
    private final int trainSize;
    private DataOrder order;

    StoredExamples(long seed, int trainSize) {
        this.seed = seed;
        this.trainSize = trainSize;
        this.order = new DataOrder(seed, trainSize);
    }

    /** Writes example {@code example} into row {@code row} of {@code x} and {@code targets}. */
    abstract void copy(int example, Matrix x, Matrix targets, int row);

    /** Index of the first held-out example; by default the one after the training set. */
    int heldOutOffset() {
        return trainSize;
    }

    @Override
    public final int trainSize() {
        return trainSize;
    }

    @Override
    public final void reset() {
        order = new DataOrder(seed, trainSize);
    }

    @Override
    public final State snapshot() {
        return order.snapshot();
    }

    @Override
    public final State readState(StateDict dict, String prefix) {
        return order.readState(dict, prefix);
    }

    @Override
    public final void restore(State state) {
        order.restore(state);
    }

    @Override
    public final void nextBatch(Matrix x, Matrix targets) {
        for (int r = 0; r < x.rows; r++) copy(order.next(), x, targets, r);
    }

    @Override
    public final void testBatch(int from, Matrix x, Matrix targets) {
        int first = heldOutOffset() + from;
        for (int r = 0; r < x.rows; r++) copy(first + r, x, targets, r);
    }
}
