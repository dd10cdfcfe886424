package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stack of layers; the last one's output is the logits. After every update,
 * {@link #project()} clamps the sign-constrained parameters (Dale's principle by projection).
 */
public final class FeedForwardNet implements Model {
    private final List<Layer> layers;
    private int[][] clampedUnits; // per layer: clamped unit indices, or null
    private float[][] clampedValues;
    private final Matrix[] outputs; // per layer: its output in the latest forward (owned by the layer)
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<Parameter> parameterView = Collections.unmodifiableList(parameters);
    private final List<String> layerNames = new ArrayList<>();

    public FeedForwardNet(List<Layer> layers) {
        if (layers.isEmpty()) throw new IllegalArgumentException("a network needs at least one layer");
        for (int i = 1; i < layers.size(); i++) {
            if (layers.get(i).inputSize() != layers.get(i - 1).outputSize())
                throw new IllegalArgumentException(
                        layers.get(i).name() + " takes " + layers.get(i).inputSize() + " inputs but "
                                + layers.get(i - 1).name() + " gives "
                                + layers.get(i - 1).outputSize());
        }
        this.layers = List.copyOf(layers);
        this.clampedUnits = new int[layers.size()][];
        this.clampedValues = new float[layers.size()][];
        this.outputs = new Matrix[layers.size()];
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
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).forward(h); // indexed: no iterator per step
            if (clampedUnits[i] != null) setColumns(h, clampedUnits[i], clampedValues[i]);
            outputs[i] = h;
        }
        return h;
    }

    /**
     * Holds units' outputs at fixed values in every later forward pass (their gradients are
     * zero: a constant does not depend on the weights). Replaces all earlier clamps.
     *
     * @param clamps layer name -> (unit index -> value)
     * @throws IllegalArgumentException naming the layer or unit that does not exist
     */
    @Override
    public void clampUnits(Map<String, Map<Integer, Float>> clamps) {
        int[][] units = new int[layers.size()][];
        float[][] values = new float[layers.size()][];
        clamps.forEach((layer, byUnit) -> {
            int i = layerNames.indexOf(layer);
            if (i < 0)
                throw new IllegalArgumentException(
                        "command.clamp_unit.layer: no layer '" + layer + "'; one of " + layerNames);
            int n = layers.get(i).outputSize();
            units[i] = byUnit.keySet().stream()
                    .mapToInt(Integer::intValue)
                    .sorted()
                    .toArray();
            values[i] = new float[units[i].length];
            for (int k = 0; k < units[i].length; k++) {
                if (units[i][k] < 0 || units[i][k] >= n)
                    throw new IllegalArgumentException(
                            "command.clamp_unit.unit must be in [0, " + n + ") for " + layer + ", got " + units[i][k]);
                values[i][k] = byUnit.get(units[i][k]);
            }
            if (units[i].length == 0) units[i] = null;
        });
        clampedUnits = units;
        clampedValues = values;
    }

    private static void setColumns(Matrix m, int[] cols, float[] values) {
        for (int r = 0, off = 0; r < m.rows; r++, off += m.cols) {
            for (int k = 0; k < cols.length; k++) m.set(off + cols[k], values[k]);
        }
    }

    @Override
    public void backward(Matrix dLogits) {
        Matrix d = dLogits;
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (clampedUnits[i] != null)
                setColumns(d, clampedUnits[i], new float[clampedUnits[i].length]); // constant outputs
            d = layers.get(i).backward(d, i > 0);
        }
    }

    @Override
    public int minimumBatchSize() {
        int min = 1;
        for (Layer l : layers) min = Math.max(min, l.minimumBatchSize());
        return min;
    }

    @Override
    public void project() {
        for (int i = 0; i < parameters.size(); i++) parameters.get(i).project();
    }

    /** Nothing: the projection is the parameters' own. */
    @Override
    public void projectBeyondParameters() {}

    @Override
    public Optional<Matrix> activations(String layer) {
        int i = layerNames.indexOf(layer);
        return i < 0 ? Optional.empty() : Optional.ofNullable(outputs[i]);
    }

    /**
     * Column-E/I layers: columns split by the layer's signs {@code D}, rows by the next layer's
     * (none for the output layer); a DANN layer's effective matrix: all excitatory; else by role.
     */
    @Override
    public Optional<EiPartition> partition(String target) {
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (l instanceof ColumnEiDense c
                    && (target.equals(c.name()) || target.equals(c.weight().name()))) {
                int rowsInhibitory = i + 1 < layers.size() && layers.get(i + 1) instanceof ColumnEiDense next
                        ? next.inhibitoryInputs()
                        : -1;
                return Optional.of(
                        EiPartition.columnSigned(c.outputSize(), rowsInhibitory, c.inputSize(), c.inhibitoryInputs()));
            }
            if ((l instanceof DannLayer || l instanceof EiDense) && target.equals(l.name()))
                return Optional.of(EiPartition.excitatory(l.outputSize(), l.inputSize()));
        }
        return Model.super.partition(target);
    }

    @Override
    public Optional<Matrix> effectiveWeight(String layer) {
        for (Layer l : layers) {
            if (l.name().equals(layer)) return l.effectiveWeight();
        }
        return Optional.empty();
    }
}
