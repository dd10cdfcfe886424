package io.eiscope.engine.task;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Matrix;

/**
 * The adding problem (Hochreiter and Schmidhuber 1997, in the form of Le, Jaitly and Hinton
 * 2015), as used by Li et al. (2023), "Learning better with Dale's Law: a spectral perspective"
 * (science.md §2.5; their generator {@code lib/rnn_basic_tasks.py: adding_problem_generator}).
 * Each sequence has {@code L} steps of 2 features: a value {@code ~ U[0, 1)} and a marker in
 * {0, 1}; exactly two steps are marked, at two distinct positions drawn uniformly (the first
 * uniform over the {@code L} steps, the second uniform over the other {@code L - 1}). The
 * target is the sum of the two marked values; one output at the last step, mean squared error
 * (no accuracy).
 *
 * <p>Step {@code t} of a row is columns {@code 2t} (value) and {@code 2t + 1} (marker). The
 * training and test sequences are drawn once from the simulation's "task" stream (test after
 * train, like the authors' data file whose last 1,000 sequences are the test set); the training
 * order is reshuffled every epoch from the "data" stream. Memory: {@code 4 L (train + test)}
 * bytes plus two ints per sequence.
 */
public final class AddingProblem extends StoredExamples {
    private static final Objective OBJECTIVE = new Objective.MeanSquaredError();
    /** Bound on {@code (train + test) * L}: 20 M values, 80 MB of floats. */
    public static final long MAX_VALUES = 20_000_000L;

    /**
     * The adding problem's sequence length and dataset sizes.
     *
     * @param sequenceLength L, steps per sequence, &gt;= 2
     * @param trainSize      training sequences
     * @param testSize       held-out sequences
     */
    public record Hyper(int sequenceLength, int trainSize, int testSize) {
        public Hyper {
            if (sequenceLength < 2)
                throw new IllegalArgumentException(
                        "task.sequence_length must be >= 2 (two marked steps), got " + sequenceLength);
            if (trainSize < 1 || testSize < 1)
                throw new IllegalArgumentException(
                        "task.train_size and task.test_size must be >= 1, got " + trainSize + " and " + testSize);
            long values = ((long) trainSize + testSize) * sequenceLength;
            if (values > MAX_VALUES)
                throw new IllegalArgumentException(
                        "task.train_size + task.test_size times task.sequence_length must be <= " + MAX_VALUES
                                + " values, got (" + trainSize + " + " + testSize + ") x " + sequenceLength + " = "
                                + values);
        }
    }

    private final Hyper hyper;
    private final TaskShape shape;
    /** Sequence e's values at {@code e * L .. e * L + L - 1}; training sequences first, then test. */
    private final float[] values;
    /** Sequence e's marked steps at {@code 2e} and {@code 2e + 1} (distinct; in draw order, not sorted). */
    private final int[] marked;

    public AddingProblem(Hyper hyper, long seed) {
        super(seed, hyper.trainSize());
        this.hyper = hyper;
        int n = hyper.trainSize() + hyper.testSize(), len = hyper.sequenceLength();
        shape = new TaskShape(2, len, 1, false);
        values = new float[n * len];
        marked = new int[2 * n];
        Rng draw = Rng.derive(seed, "task");
        for (int e = 0; e < n; e++) {
            for (int t = 0; t < len; t++) values[e * len + t] = (float) draw.nextDouble();
            int first = draw.nextInt(len), second = draw.nextInt(len - 1);
            if (second >= first) second++; // uniform over the steps other than the first
            marked[2 * e] = first;
            marked[2 * e + 1] = second;
        }
    }

    public Hyper hyper() {
        return hyper;
    }

    /** Value at step t of sequence e (training sequences first, then test), for tests. */
    public float value(int e, int t) {
        return values[e * hyper.sequenceLength() + t];
    }

    /** The target of sequence e: the sum of its two marked values, in float as in the batches. */
    public float target(int e) {
        int len = hyper.sequenceLength();
        return values[e * len + marked[2 * e]] + values[e * len + marked[2 * e + 1]];
    }

    @Override
    public TaskShape shape() {
        return shape;
    }

    @Override
    public int inputSize() {
        return shape.inputSize();
    }

    @Override
    public int outputSize() {
        return 1;
    }

    @Override
    public Objective objective() {
        return OBJECTIVE;
    }

    @Override
    public int testSize() {
        return hyper.testSize();
    }

    @Override
    void copy(int e, Matrix x, Matrix targets, int row) {
        int len = hyper.sequenceLength(), off = row * 2 * len, src = e * len;
        int m0 = marked[2 * e], m1 = marked[2 * e + 1];
        for (int t = 0; t < len; t++) {
            x.set(off + 2 * t, values[src + t]);
            x.set(off + 2 * t + 1, t == m0 || t == m1 ? 1f : 0f);
        }
        targets.set(row, values[src + m0] + values[src + m1]);
    }
}
