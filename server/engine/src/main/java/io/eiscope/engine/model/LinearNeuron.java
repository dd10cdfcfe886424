package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Linear units without bias and a fixed threshold: {@code z = x W^T - r}. With one output this
 * is the point neuron of the r-of-k task of Cornford et al. (2024), "Brain-like learning with
 * exponentiated gradients" ({@code logit = w.x - r}, science.md §3.3c); with r = 0 it is the
 * {@code Linear(D, 1, bias=False)} model of Pogodin et al. (2024) §4.4.
 *
 * <p>Shapes: {@code W} is {@code nOut x nIn}; x is {@code batch x nIn}; z is {@code batch x nOut}.
 * The threshold is a constant, not a parameter. Buffers are kept per batch size.
 */
public final class LinearNeuron implements Layer {
    private final String name;
    private final Parameter weight;
    private final float threshold;
    private final Blas blas;
    private final Map<Integer, Matrix[]> buffers = new HashMap<>();
    private Matrix lastInput;
    private Matrix[] last;

    public LinearNeuron(String name, int nIn, int nOut, double threshold, Blas blas) {
        if (nIn < 1 || nOut < 1)
            throw new IllegalArgumentException(name + ": sizes must be >= 1, got " + nIn + " -> " + nOut);
        this.name = name;
        this.weight = Parameter.of(name + ".w", nOut, nIn, Parameter.Sign.FREE, Parameter.Role.WEIGHT, nIn, nOut);
        this.threshold = (float) threshold;
        this.blas = blas;
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int inputSize() {
        return weight.value().cols;
    }

    @Override
    public int outputSize() {
        return weight.value().rows;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight);
    }

    @Override
    public Matrix forward(Matrix x) {
        Matrix[] buf = last != null && last[0].rows == x.rows
                ? last // the steady state: no boxing, no lookup
                : buffers.computeIfAbsent(
                        x.rows, b -> new Matrix[] {Matrix.zeros(b, outputSize()), Matrix.zeros(b, inputSize())});
        Matrix z = buf[0];
        blas.gemm(false, true, 1f, x, weight.value(), 0f, z);
        for (int i = 0, n = z.size(); i < n; i++) z.set(i, z.get(i) - threshold);
        lastInput = x;
        last = buf;
        return z;
    }

    /** {@code dW = dz^T x}, {@code dx = dz W}. */
    @Override
    public Matrix backward(Matrix dz, boolean needInputGrad) {
        blas.gemm(true, false, 1f, dz, lastInput, 0f, weight.grad());
        if (!needInputGrad) return null;
        blas.gemm(false, false, 1f, dz, weight.value(), 0f, last[1]);
        return last[1];
    }
}
