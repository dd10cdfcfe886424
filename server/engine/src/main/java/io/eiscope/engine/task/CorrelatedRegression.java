package io.eiscope.engine.task;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Matrix;

/**
 * The correlated linear-regression task of Pogodin et al. (2024), "Synaptic weight
 * distributions depend on the geometry of plasticity" ({@code linear_regression.py};
 * science.md §4.4). {@code N = floor(D^e)} examples of dimension {@code D}: inputs
 * {@code x = L z + u} with {@code z ~ N(0, I)}, {@code u ~ U(-1/2, 1/2)^D} and {@code L} the
 * Cholesky factor of the Toeplitz correlation {@code C_ij = (-1)^(i-j) / (1 + |i-j|^q)}; targets
 * +-1 at random. One output trained by mean squared error (no accuracy). The study measures
 * fitting with {@code N < D}, not generalisation, so the held-out set is the training set.
 *
 * <p>Everything is drawn once from the "task" stream; cost {@code O(D^3 / 3)} for the Cholesky
 * factor (about a second at D = 2000), memory {@code D^2} doubles while building. The training
 * order is reshuffled every epoch from the "data" stream (irrelevant for full batches).
 */
public final class CorrelatedRegression extends StoredExamples {
    private static final Objective OBJECTIVE = new Objective.MeanSquaredError();

    /**
     * The regression's dimension, sample count and input correlations.
     *
     * @param dimension      D, the number of inputs (= weights of a linear model)
     * @param sampleExponent e in (0, 1]: N = floor(D^e) examples (0.5 or 0.75 in the paper)
     * @param decay          q &gt; 0 of the correlation {@code 1 / (1 + |i-j|^q)} (2 or 1 in the paper)
     */
    public record Hyper(int dimension, double sampleExponent, double decay) {
        public Hyper {
            if (dimension < 2) throw new IllegalArgumentException("dimension must be >= 2, got " + dimension);
            if (!(sampleExponent > 0 && sampleExponent <= 1))
                throw new IllegalArgumentException("sample_exponent must be in (0, 1], got " + sampleExponent);
            if (!(decay > 0) || !Double.isFinite(decay))
                throw new IllegalArgumentException("correlation_decay must be > 0, got " + decay);
        }

        public int samples() {
            return Math.max(1, (int) Math.floor(Math.pow(dimension, sampleExponent) + 1e-9));
        }
    }

    private final Hyper hyper;
    private final float[] inputs;
    private final float[] targets;

    public CorrelatedRegression(Hyper hyper, long seed) {
        super(seed, hyper.samples());
        this.hyper = hyper;
        int d = hyper.dimension(), n = hyper.samples();
        double[] l = cholesky(correlation(d, hyper.decay()), d);
        Rng draw = Rng.derive(seed, "task");
        inputs = new float[n * d];
        targets = new float[n];
        double[] z = new double[d];
        for (int e = 0; e < n; e++) {
            for (int j = 0; j < d; j++) z[j] = draw.nextGaussian();
            for (int i = 0; i < d; i++) {
                double s = 0;
                for (int j = 0; j <= i; j++) s += l[i * d + j] * z[j];
                inputs[e * d + i] = (float) (s + draw.nextDouble() - 0.5);
            }
            targets[e] = draw.nextDouble() < 0.5 ? 1f : -1f;
        }
    }

    /** The Toeplitz matrix {@code C_ij = (-1)^(i-j) / (1 + |i-j|^q)}, row-major d x d. */
    static double[] correlation(int d, double q) {
        double[] c = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                int k = Math.abs(i - j);
                c[i * d + j] = (k % 2 == 0 ? 1 : -1) / (1 + Math.pow(k, q));
            }
        return c;
    }

    /** Lower Cholesky factor of a symmetric positive-definite d x d matrix (row-major), in place. */
    static double[] cholesky(double[] a, int d) {
        for (int j = 0; j < d; j++) {
            double diag = a[j * d + j];
            for (int k = 0; k < j; k++) diag -= a[j * d + k] * a[j * d + k];
            if (!(diag > 0))
                throw new IllegalArgumentException("the correlation matrix is not positive definite at row " + j);
            double ljj = Math.sqrt(diag);
            a[j * d + j] = ljj;
            for (int i = j + 1; i < d; i++) {
                double s = a[i * d + j];
                for (int k = 0; k < j; k++) s -= a[i * d + k] * a[j * d + k];
                a[i * d + j] = s / ljj;
            }
            for (int i = 0; i < j; i++) a[i * d + j] = 0;
        }
        return a;
    }

    @Override
    public int inputSize() {
        return hyper.dimension();
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
        return targets.length;
    }

    /** The held-out set is the training set: the study is about fitting. */
    @Override
    int heldOutOffset() {
        return 0;
    }

    @Override
    void copy(int e, Matrix x, Matrix y, int row) {
        int d = hyper.dimension();
        for (int i = 0; i < d; i++) x.set(row * d + i, inputs[e * d + i]);
        y.set(row, targets[e]);
    }
}
