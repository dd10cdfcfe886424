package io.eiscope.engine.model;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Matrix;

/**
 * Initialisations of a plain weight matrix {@code W} ({@code nOut x nIn}, post x pre).
 *
 * <p>{@link He} is the MLP baseline of Cornford et al. 2021 ({@code ariamis/base_models.py:
 * HeNormalInit}). {@link Normal}, {@link Uniform} and {@link LogNormal} follow Cornford et al.
 * 2024, "Brain-like learning with exponentiated gradients" ({@code optim_eg/init_tools.py},
 * {@code src/initializations.py}): a target standard deviation {@code std = gain / sqrt(fan)}
 * with {@code fan} the fan-in ({@code nIn}) or fan-out ({@code nOut}).
 */
public sealed interface WeightInit {

    /**
     * Overwrites every element of {@code w} ({@code nOut x nIn}) with a draw from {@code rng}.
     *
     * @param layerIndex 0 for the layer reading the raw inputs, which some initialisations treat apart
     */
    void fill(Matrix w, int layerIndex, Rng rng);

    /** Which side of {@code W} sets the scale. */
    enum Fan {
        /** {@code nIn}, the columns of {@code W}. */
        IN,
        /** {@code nOut}, the rows of {@code W}. */
        OUT;

        int of(Matrix w) {
            return this == IN ? w.cols : w.rows;
        }
    }

    /**
     * He normal: {@code W ~ N(0, gain / fanIn)} with variance gain 1 on the raw inputs (layer 0,
     * which did not go through a ReLU) and 2 after.
     */
    record He() implements WeightInit {
        @Override
        public void fill(Matrix w, int layerIndex, Rng rng) {
            double std = Math.sqrt((layerIndex == 0 ? 1.0 : 2.0) / w.cols);
            for (int i = 0, n = w.size(); i < n; i++) w.set(i, (float) (rng.nextGaussian() * std));
        }
    }

    /** {@code W ~ N(0, std^2)}, {@code std = gain / sqrt(fan)}. */
    record Normal(double gain, Fan fan) implements WeightInit {
        public Normal {
            requirePositive("gain", gain);
        }

        @Override
        public void fill(Matrix w, int layerIndex, Rng rng) {
            double std = gain / Math.sqrt(fan.of(w));
            for (int i = 0, n = w.size(); i < n; i++) w.set(i, (float) (rng.nextGaussian() * std));
        }
    }

    /** {@code W ~ U(-sqrt(3) std, sqrt(3) std)}, {@code std = gain / sqrt(fan)}; gain 1/sqrt(3) gives PyTorch's bound. */
    record Uniform(double gain, Fan fan) implements WeightInit {
        public Uniform {
            requirePositive("gain", gain);
        }

        @Override
        public void fill(Matrix w, int layerIndex, Rng rng) {
            double bound = Math.sqrt(3.0) * gain / Math.sqrt(fan.of(w));
            for (int i = 0, n = w.size(); i < n; i++) w.set(i, (float) ((2 * rng.nextDouble() - 1) * bound));
        }
    }

    /**
     * Log-normal magnitudes with random signs: {@code |w| ~ LogNormal(mu, sigma)} with magnitude
     * mean {@code m = r s} and variance {@code v = s^2}, where {@code s = std / sqrt(1 + r^2)} and
     * {@code r = meanStdRatio}; the sign is +1 or -1 with probability 1/2. Hence {@code E[w] = 0}
     * and {@code E[w^2] = m^2 + v = std^2}.
     */
    record LogNormal(double gain, Fan fan, double meanStdRatio) implements WeightInit {
        public LogNormal {
            requirePositive("gain", gain);
            requirePositive("mean_std_ratio", meanStdRatio);
        }

        /** {@code sigma = sqrt(log(1 + v / m^2)) = sqrt(log(1 + 1 / r^2))}, independent of std. */
        public double sigmaLog() {
            return Math.sqrt(Math.log1p(1.0 / (meanStdRatio * meanStdRatio)));
        }

        /** {@code mu = log(m^2 / sqrt(m^2 + v))} for the target {@code std}. */
        public double muLog(double std) {
            double s = std / Math.sqrt(1 + meanStdRatio * meanStdRatio);
            double m = meanStdRatio * s, v = s * s;
            return Math.log(m * m / Math.sqrt(m * m + v));
        }

        @Override
        public void fill(Matrix w, int layerIndex, Rng rng) {
            double mu = muLog(gain / Math.sqrt(fan.of(w))), sigma = sigmaLog();
            for (int i = 0, n = w.size(); i < n; i++) {
                double magnitude = Math.exp(mu + sigma * rng.nextGaussian());
                w.set(i, (float) (rng.nextDouble() < 0.5 ? magnitude : -magnitude));
            }
        }
    }

    private static void requirePositive(String what, double v) {
        if (!(v > 0) || !Double.isFinite(v))
            throw new IllegalArgumentException(what + " must be a finite number > 0, got " + v);
    }
}
