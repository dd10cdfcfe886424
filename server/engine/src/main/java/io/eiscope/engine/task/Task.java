package io.eiscope.engine.task;

import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.tensor.Matrix;

/**
 * A supervised task: a training stream of minibatches in a seeded order, a held-out set and
 * the objective the model's outputs are trained on. Model outputs are {@code batch x
 * shape().outputWidth()}; targets are {@code batch x targetWidth()} (class indices for
 * classification, one per scored step; 0/1 for binary labels; values for regression).
 * Sequence tasks lay each example out step-major in its row ({@link TaskShape}). Confined to
 * the simulation's thread.
 */
public interface Task {
    /** Columns of an input row (all time steps of a sequence task: {@code shape().inputSize()}). */
    int inputSize();

    /** Outputs the model must produce per scored step: classes, binary logits or regression targets. */
    int outputSize();

    /**
     * The input and output layout; static tasks have one step. Sequence tasks override it and
     * their {@link #inputSize()} equals {@code shape().inputSize()}.
     */
    default TaskShape shape() {
        return TaskShape.flat(inputSize(), outputSize());
    }

    /** The loss (and accuracy, where it applies) the outputs are scored by. */
    Objective objective();

    /** Columns of the target matrices. */
    default int targetWidth() {
        return objective().targetWidth(shape().outputWidth());
    }

    /**
     * Training examples: the size of the training set, or for an endless generated stream a
     * nominal epoch length. The largest batch size, and the unit of epoch counts.
     */
    int trainSize();

    /** Held-out examples, served by {@link #testBatch}. */
    int testSize();

    /** Fills {@code x} (batch x inputSize) and {@code targets} (batch x targetWidth) with the next training batch. */
    void nextBatch(Matrix x, Matrix targets);

    /** Fills {@code x} and {@code targets} with held-out examples {@code from .. from + x.rows - 1}. */
    void testBatch(int from, Matrix x, Matrix targets);

    /** Back to the first batch of the first epoch of this seed. */
    void reset();

    /** The position of a task in its data order; opaque, immutable. */
    interface State {
        /**
         * Writes this position as entries named {@code prefix + ...} (a stored order writes
         * {@code rng_state}, {@code permutation} and {@code cursor}; a generated stream
         * {@code rng_state}). The arrays may be shared with this state: neither is to be modified.
         */
        void save(StateDict dict, String prefix);
    }

    /** The data-order position (permutation, cursor, random stream), for snapshots and forks. */
    State snapshot();

    /**
     * The position that {@link State#save} wrote under {@code prefix}, for {@link #restore};
     * validated against this task, changing nothing.
     *
     * @throws IllegalArgumentException naming the entry that is missing or does not fit this task
     */
    State readState(StateDict dict, String prefix);

    /** Back to a position taken by {@link #snapshot} (or read by {@link #readState}) of a task built from the same spec and seed. */
    void restore(State state);
}
