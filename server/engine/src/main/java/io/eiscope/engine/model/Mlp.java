package io.eiscope.engine.model;

import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Multilayer perceptron: ReLU hidden layers and a linear output layer that feeds softmax
 * cross-entropy.
 *
 * <p>Initialisation (Cornford et al. 2021, {@code ariamis/base_models.py}, He-style):
 * {@code W ~ N(0, gain / fanIn)} with gain 1 for the first layer (pixel inputs) and 2 for
 * the others; biases 0.
 */
public final class Mlp implements Model {
    private final List<Dense> layers = new ArrayList<>();
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<String> layerNames = new ArrayList<>();

    public Mlp(int inputSize, int[] hidden, int outputSize, Blas blas) {
        int in = inputSize;
        for (int i = 0; i <= hidden.length; i++) {
            boolean output = i == hidden.length;
            int out = output ? outputSize : hidden[i];
            Dense d = new Dense("layer" + i, in, out, output ? Activation.IDENTITY : Activation.RELU, blas);
            layers.add(d);
            layerNames.add("layer" + i);
            parameters.addAll(d.parameters());
            in = out;
        }
    }

    /** He initialisation from {@code rng} (the simulation's "init" stream). */
    public void initHe(Rng rng) {
        for (int i = 0; i < layers.size(); i++) {
            Matrix w = layers.get(i).weight().value();
            double std = Math.sqrt((i == 0 ? 1.0 : 2.0) / w.cols);
            for (int k = 0, n = w.size(); k < n; k++) w.set(k, (float) (rng.nextGaussian() * std));
            layers.get(i).bias().value().fill(0f);
        }
    }

    @Override
    public List<Parameter> parameters() {
        return Collections.unmodifiableList(parameters);
    }

    @Override
    public List<String> layers() {
        return Collections.unmodifiableList(layerNames);
    }

    @Override
    public Matrix forward(Matrix x) {
        Matrix h = x;
        for (Dense d : layers) h = d.forward(h);
        return h;
    }

    @Override
    public void backward(Matrix dLogits) {
        Matrix d = dLogits;
        for (int i = layers.size() - 1; i >= 0; i--) d = layers.get(i).backward(d, i > 0);
    }
}
