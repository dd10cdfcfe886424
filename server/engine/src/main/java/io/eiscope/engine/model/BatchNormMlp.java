package io.eiscope.engine.model;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import java.util.ArrayList;
import java.util.List;

/**
 * The BatchNorm MLP baseline of Cornford et al. 2021 (ICLR) §1.5, reference code
 * {@code ariamis/base_models.py: BatchNormLayer} built by {@code build_densenet}: every layer,
 * the linear output included, is a {@link BatchNormDense}; ReLU hidden layers; He-initialised
 * {@code W} (gain 1 on pixels, 2 after), {@code g = 1}, {@code b = 0}. The same construction as
 * {@link LayerNormMlp}, so the two baselines draw the same initial weights for the same seed.
 */
public final class BatchNormMlp {
    private BatchNormMlp() {}

    /** A BatchNorm MLP {@code inputSize -> hidden... -> classes} with draws from {@code rng}. */
    public static FeedForwardNet create(int inputSize, int[] hidden, int classes, Blas blas, Rng rng) {
        List<Layer> layers = new ArrayList<>();
        WeightInit he = new WeightInit.He();
        int in = inputSize;
        for (int i = 0; i <= hidden.length; i++) {
            boolean output = i == hidden.length;
            int out = output ? classes : hidden[i];
            BatchNormDense layer =
                    new BatchNormDense("layer" + i, in, out, output ? Activation.IDENTITY : Activation.RELU, blas);
            he.fill(layer.weight().value(), i, rng);
            layer.gain().value().fill(1f);
            layer.bias().value().fill(0f);
            layers.add(layer);
            in = out;
        }
        return new FeedForwardNet(layers);
    }
}
