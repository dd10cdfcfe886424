package io.eiscope.engine.model;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import java.util.ArrayList;
import java.util.List;

/**
 * Multilayer perceptron: ReLU hidden layers and a linear output layer that feeds softmax
 * cross-entropy.
 *
 * <p>By default He initialisation as in Cornford et al. 2021 ({@code ariamis/base_models.py}):
 * {@code W ~ N(0, gain / fanIn)} with gain 1 for the first layer (pixel inputs) and 2 for the
 * others; any other {@link WeightInit} may be given. Biases are always 0.
 */
public final class Mlp {
    private Mlp() {}

    /** An MLP {@code inputSize -> hidden... -> outputSize} with He-initialised weights from {@code rng}. */
    public static FeedForwardNet create(int inputSize, int[] hidden, int outputSize, Blas blas, Rng rng) {
        return create(inputSize, hidden, outputSize, new WeightInit.He(), blas, rng);
    }

    /** An MLP {@code inputSize -> hidden... -> outputSize} whose weights are drawn by {@code init}, biases 0. */
    public static FeedForwardNet create(
            int inputSize, int[] hidden, int outputSize, WeightInit init, Blas blas, Rng rng) {
        return create(inputSize, hidden, outputSize, init, false, blas, rng);
    }

    /**
     * As {@link #create(int, int[], int, WeightInit, Blas, Rng)}; with {@code splitBias} every
     * layer's bias is {@code b_pos + b_neg} with {@code b_pos ~ U(0, sqrt(2) B)} and
     * {@code b_neg ~ U(-sqrt(2) B, 0)}, {@code B = 1/sqrt(fanIn)} (Cornford et al. 2024,
     * {@code init_tools.SplitBias}), drawn after each layer's weights.
     */
    public static FeedForwardNet create(
            int inputSize, int[] hidden, int outputSize, WeightInit init, boolean splitBias, Blas blas, Rng rng) {
        List<Layer> layers = new ArrayList<>();
        int in = inputSize;
        for (int i = 0; i <= hidden.length; i++) {
            boolean output = i == hidden.length;
            int out = output ? outputSize : hidden[i];
            Dense d = new Dense("layer" + i, in, out, output ? Activation.IDENTITY : Activation.RELU, splitBias, blas);
            init.fill(d.weight().value(), i, rng);
            d.bias().value().fill(0f);
            if (splitBias) {
                double bound = Math.sqrt(2.0 / in);
                for (int j = 0; j < out; j++) d.bias().value().set(j, (float) (rng.nextDouble() * bound));
                for (int j = 0; j < out; j++) d.negativeBias().value().set(j, (float) (-rng.nextDouble() * bound));
            }
            layers.add(d);
            in = out;
        }
        return new FeedForwardNet(layers);
    }

    /** {@code W ~ N(0, gain / fanIn)}, {@code b = 0}. */
    public static void initHe(Dense d, double gain, Rng rng) {
        var w = d.weight().value();
        double std = Math.sqrt(gain / w.cols);
        for (int k = 0, n = w.size(); k < n; k++) w.set(k, (float) (rng.nextGaussian() * std));
        d.bias().value().fill(0f);
    }
}
