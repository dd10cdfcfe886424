package io.eiscope.engine.task;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Matrix;

/**
 * The "r-of-k" sparse-relevant-input task of Cornford et al. (2024), "Brain-like learning with
 * exponentiated gradients" ({@code r_of_k/}; science.md §3.3c). Inputs {@code x in {0,1}^n}
 * are i.i.d. Bernoulli(p); the label is {@code y = 1[w*.x >= r]} with {@code w*} = ones on the
 * first {@code k} coordinates, so only {@code k} of the {@code n} inputs are relevant. Training
 * labels get noise: {@code y = 1[w*.x + nu >= r]}, {@code nu = -1, 0, +1} with probabilities
 * {@code (q, 1 - 2q, q)}; validation and test labels are clean. One output (a logit), trained by
 * binary cross-entropy with logits.
 *
 * <p>The examples are drawn once from the simulation's "task" stream and kept as bits
 * ({@code (train + 2 held) * ceil(n/64)} longs: 30 MB at n = 20,000); the training order is
 * reshuffled every epoch from the "data" stream. The held-out set is the test set or, for
 * learning-rate selection, the validation set.
 */
public final class RofK extends StoredExamples {
    private static final Objective OBJECTIVE = new Objective.BinaryCrossEntropyWithLogits();

    /**
     * Validated hyper-parameters.
     *
     * @param inputs     n, the number of inputs
     * @param relevant   k &lt;= n, the relevant inputs (the first k)
     * @param threshold  r, the label threshold on the count of active relevant inputs
     * @param rate       p in (0, 1), the probability that an input is 1
     * @param noise      q in [0, 0.5], the probability of each of nu = -1 and nu = +1 (training labels only)
     * @param heldOutValidation serve the validation set instead of the test set as held-out set
     */
    public record Hyper(
            int inputs,
            int relevant,
            int threshold,
            double rate,
            double noise,
            int trainSize,
            int heldOutSize,
            boolean heldOutValidation) {
        public Hyper {
            if (inputs < 1) throw new IllegalArgumentException("inputs must be >= 1, got " + inputs);
            if (relevant < 1 || relevant > inputs)
                throw new IllegalArgumentException("relevant must be in [1, inputs = " + inputs + "], got " + relevant);
            if (!(rate > 0 && rate < 1)) throw new IllegalArgumentException("rate must be in (0, 1), got " + rate);
            if (!(noise >= 0 && noise <= 0.5))
                throw new IllegalArgumentException("label_noise must be in [0, 0.5], got " + noise);
            if (trainSize < 1 || heldOutSize < 1)
                throw new IllegalArgumentException(
                        "train and held-out sizes must be >= 1, got " + trainSize + " and " + heldOutSize);
        }

        /** The paper's settings for n inputs: k = 100, r = 50, p = 0.5, q = 0.05, 10,000 train, 1,000 test. */
        public static Hyper paper(int inputs) {
            return new Hyper(inputs, 100, 50, 0.5, 0.05, 10_000, 1_000, false);
        }
    }

    private final Hyper hyper;
    private final int words;
    /** Row-major bits: example e, input i at bit i % 64 of word e * words + i / 64. */
    private final long[] bits;

    private final float[] labels;
    private final int heldOutOffset;

    public RofK(Hyper hyper, long seed) {
        super(seed, hyper.trainSize());
        this.hyper = hyper;
        this.words = (hyper.inputs() + 63) / 64;
        int examples = hyper.trainSize() + 2 * hyper.heldOutSize();
        bits = new long[examples * words];
        labels = new float[examples];
        Rng draw = Rng.derive(seed, "task");
        for (int e = 0; e < examples; e++) {
            int active = drawInputs(e, draw);
            int nu = 0;
            if (e < hyper.trainSize() && hyper.noise() > 0) {
                double u = draw.nextDouble();
                nu = u < hyper.noise() ? -1 : u < 2 * hyper.noise() ? 1 : 0;
            }
            labels[e] = active + nu >= hyper.threshold() ? 1f : 0f;
        }
        heldOutOffset = hyper.trainSize() + (hyper.heldOutValidation() ? 0 : hyper.heldOutSize());
    }

    /** Draws example e's inputs; returns the number of active relevant inputs {@code w*.x}. */
    private int drawInputs(int e, Rng draw) {
        int n = hyper.inputs(), off = e * words;
        for (int w = 0; w < words; w++) {
            long word;
            if (hyper.rate() == 0.5) {
                word = draw.nextLong();
            } else {
                word = 0;
                for (int b = 0; b < 64; b++) if (draw.nextDouble() < hyper.rate()) word |= 1L << b;
            }
            int valid = Math.min(64, n - 64 * w);
            if (valid < 64) word &= (1L << valid) - 1;
            bits[off + w] = word;
        }
        int active = 0, k = hyper.relevant();
        for (int w = 0; w * 64 < k; w++) {
            int take = Math.min(64, k - 64 * w);
            long mask = take == 64 ? -1L : (1L << take) - 1;
            active += Long.bitCount(bits[off + w] & mask);
        }
        return active;
    }

    public Hyper hyper() {
        return hyper;
    }

    /** Input i (0 or 1) of example e, for tests. */
    public int input(int e, int i) {
        return (int) (bits[e * words + i / 64] >>> (i % 64)) & 1;
    }

    /** The label of example e: training examples first, then validation, then test. */
    public float label(int e) {
        return labels[e];
    }

    @Override
    public int inputSize() {
        return hyper.inputs();
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
        return hyper.heldOutSize();
    }

    @Override
    int heldOutOffset() {
        return heldOutOffset;
    }

    @Override
    void copy(int e, Matrix x, Matrix targets, int row) {
        int n = hyper.inputs(), off = row * n, src = e * words;
        for (int i = 0; i < n; i++) x.set(off + i, (float) ((bits[src + i / 64] >>> (i % 64)) & 1L));
        targets.set(row, labels[e]);
    }
}
