package io.eiscope.engine.task;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.sim.StateDict;
import io.eiscope.engine.tensor.Matrix;

/**
 * A cognitive task of the neurogym kind, as trained by Liu et al. (2024), "How connectivity
 * structure shapes rich and lazy learning in neural circuits" (science.md §5.3): trials of
 * fixed length at {@code dt} = {@value #DT_MILLIS} ms, inputs at every step, a label at every
 * step (0 = fixate until the decision, then the correct choice) and softmax cross-entropy over
 * all steps; the accuracy is taken at the last step, which is the decision step of every
 * trial structure here. The trial structure ({@link Trials}) is one of neurogym's environments,
 * reimplemented.
 *
 * <p>Training trials are an endless stream, as with {@code ngym.Dataset} (whose windows of
 * {@code seq_len} = 8 steps hold exactly one 8-step trial): each {@link #nextBatch} draws fresh
 * trials from the simulation's "data" stream, so the position is one random state, captured by
 * {@link #snapshot}. {@link #trainSize()} reports {@value #NOMINAL_EPOCH_TRIALS} trials as a
 * nominal epoch (the largest batch, and the unit of epoch counts); no trial repeats. The
 * held-out set is {@code testSize} trials drawn once, at construction, from the "held-out"
 * stream, so test losses are comparable across evaluations and unaffected by training. The
 * noise is drawn even at {@code sigma = 0}, so tasks that differ only in {@code sigma} draw the
 * same trials and {@code sigma} only scales the noise.
 */
public final class CognitiveTask implements Task {
    /** Time step of the discretisation, ms (neurogym's {@code dt}, 100 in Liu et al.). */
    public static final int DT_MILLIS = 100;
    /** Trials per nominal training epoch ({@link #trainSize()}). */
    public static final int NOMINAL_EPOCH_TRIALS = 10_000;

    /**
     * The trial structure of one neurogym environment at {@code dt} = {@value #DT_MILLIS} ms.
     * Implementations are stateless and draw everything from the stream they are given.
     */
    public sealed interface Trials permits PerceptualDecisionMaking, DelayedMatchToSample, ContextDecisionMaking {
        /** Steps, inputs per step and outputs (classes: 0 = fixate, then the choices); scored at every step. */
        TaskShape shape();

        /**
         * Draws one trial into row {@code row} of {@code x} (batch x steps*inputs, step-major)
         * and of {@code labels} (batch x steps, class indices), overwriting the whole row.
         *
         * @param noiseStd the standard deviation of the input noise per step, {@code sigma / sqrt(dt)}
         */
        void draw(Rng rng, double noiseStd, Matrix x, Matrix labels, int row);
    }

    private final Trials trials;
    private final long seed;
    private final double sigma;
    private final double noiseStd;
    private final TaskShape shape;
    private final Objective objective;
    private final Matrix heldOutInputs;
    private final Matrix heldOutLabels;
    private Rng rng;

    /**
     * @param sigma    neurogym's noise level: each noisy input gets {@code N(0, (sigma / sqrt(dt))^2)} per step, >= 0
     * @param testSize held-out trials, >= 1
     */
    public CognitiveTask(Trials trials, double sigma, int testSize, long seed) {
        if (!(sigma >= 0) || !Double.isFinite(sigma))
            throw new IllegalArgumentException("task.sigma must be >= 0, got " + sigma);
        if (testSize < 1) throw new IllegalArgumentException("task.test_size must be >= 1, got " + testSize);
        this.trials = trials;
        this.seed = seed;
        this.sigma = sigma;
        this.noiseStd = sigma / Math.sqrt(DT_MILLIS);
        this.shape = trials.shape();
        this.objective = new Objective.SoftmaxCrossEntropy(shape.steps());
        heldOutInputs = Matrix.zeros(testSize, shape.inputSize());
        heldOutLabels = Matrix.zeros(testSize, shape.steps());
        Rng heldOut = Rng.derive(seed, "held-out");
        for (int i = 0; i < testSize; i++) trials.draw(heldOut, noiseStd, heldOutInputs, heldOutLabels, i);
        reset();
    }

    /** Steps of a period of {@code millis} ms, rounded down to whole steps as neurogym does. */
    static int steps(int millis) {
        return millis / DT_MILLIS;
    }

    public Trials trials() {
        return trials;
    }

    /** Neurogym's noise level; the per-step standard deviation is {@code sigma / sqrt(dt)}. */
    public double sigma() {
        return sigma;
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
        return shape.outputs();
    }

    @Override
    public Objective objective() {
        return objective;
    }

    @Override
    public int trainSize() {
        return NOMINAL_EPOCH_TRIALS;
    }

    @Override
    public int testSize() {
        return heldOutInputs.rows;
    }

    @Override
    public void reset() {
        rng = Rng.derive(seed, "data");
    }

    private record Position(long rngState) implements Task.State {
        /** {@code rng_state}, int64 {@code [1]}. */
        @Override
        public void save(StateDict dict, String prefix) {
            dict.putLongs(prefix + "rng_state", new long[] {rngState});
        }
    }

    @Override
    public State snapshot() {
        return new Position(rng.state());
    }

    @Override
    public State readState(StateDict dict, String prefix) {
        return new Position(dict.longValue(prefix + "rng_state"));
    }

    @Override
    public void restore(State state) {
        rng.setState(((Position) state).rngState());
    }

    @Override
    public void nextBatch(Matrix x, Matrix labels) {
        for (int r = 0; r < x.rows; r++) trials.draw(rng, noiseStd, x, labels, r);
    }

    @Override
    public void testBatch(int from, Matrix x, Matrix labels) {
        int n = x.cols, steps = labels.cols;
        for (int r = 0; r < x.rows; r++) {
            int src = from + r;
            for (int c = 0; c < n; c++) x.set(r * n + c, heldOutInputs.get(src * n + c));
            for (int t = 0; t < steps; t++) labels.set(r * steps + t, heldOutLabels.get(src * steps + t));
        }
    }
}
