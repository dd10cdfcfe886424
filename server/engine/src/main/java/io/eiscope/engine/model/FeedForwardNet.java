package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stack of layers; the last one's output is the logits. After every update,
 * {@link #project()} clamps the sign-constrained parameters (Dale's principle by projection).
 */
public final class FeedForwardNet implements Model {
    private final List<Layer> layers;
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<Parameter> parameterView = Collections.unmodifiableList(parameters);
    private final List<String> layerNames = new ArrayList<>();

    public FeedForwardNet(List<Layer> layers) {
        if (layers.isEmpty()) throw new IllegalArgumentException("a network needs at least one layer");
        for (int i = 1; i < layers.size(); i++) {
            if (layers.get(i).inputSize() != layers.get(i - 1).outputSize())
                throw new IllegalArgumentException(layers.get(i).name() + " takes " + layers.get(i).inputSize()
                        + " inputs but " + layers.get(i - 1).name() + " gives " + layers.get(i - 1).outputSize());
        }
        this.layers = List.copyOf(layers);
        for (Layer l : layers) {
            layerNames.add(l.name());
            parameters.addAll(l.parameters());
        }
    }

    public List<Layer> layerList() {
        return layers;
    }

    @Override
    public List<Parameter> parameters() {
        return parameterView;
    }

    @Override
    public List<String> layers() {
        return Collections.unmodifiableList(layerNames);
    }

    @Override
    public Matrix forward(Matrix x) {
        Matrix h = x;
        for (int i = 0; i < layers.size(); i++) h = layers.get(i).forward(h); // indexed: no iterator per step
        return h;
    }

    @Override
    public void backward(Matrix dLogits) {
        Matrix d = dLogits;
        for (int i = layers.size() - 1; i >= 0; i--) d = layers.get(i).backward(d, i > 0);
    }

    @Override
    public void project() {
        for (int i = 0; i < parameters.size(); i++) parameters.get(i).project();
    }

    @Override
    public Optional<Matrix> effectiveWeight(String layer) {
        for (Layer l : layers) {
            if (l.name().equals(layer)) return l.effectiveWeight();
        }
        return Optional.empty();
    }

    @Override
    public Map<String, Matrix> effectiveWeights() {
        Map<String, Matrix> out = new LinkedHashMap<>();
        for (Layer l : layers) l.effectiveWeight().ifPresent(w -> out.put(l.name(), w));
        return out;
    }
}
