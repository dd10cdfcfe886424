package io.eiscope.engine.model;

import io.eiscope.engine.model.Parameter.Role;
import io.eiscope.engine.model.Parameter.Sign;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A column-E/I ("ColEI") layer, a sign-partitioned dense layer after Song et al. 2016, the
 * baseline of Cornford et al. 2021 (ICLR) §1.5, reference code {@code ariamis/column_ei_models.py:
 * ColummEiDense}: {@code h = f(x (W_pos D)^T + b)}.
 *
 * <p>{@code W_pos} ({@code nOut x nIn}) is kept >= 0 by projection (unless built unconstrained);
 * {@code D} is a fixed diagonal of +1 on the first {@code nIn - inhibitoryInputs} input columns
 * (excitatory presynaptic units) and -1 on the last {@code inhibitoryInputs} (inhibitory ones).
 * With {@code inhibitoryInputs = 0} ({@code D = I}) the layer reads non-negative pixels. Each
 * output unit is excitatory or inhibitory according to the split of the next layer's columns.
 *
 * <p>Shapes, batch-first: x {@code B x nIn}, h {@code B x nOut}, {@code b 1 x nOut}. The signs are
 * applied to the input ({@code x D}, kept for backward) rather than to the weights. Parameters carry
 * {@code fanIn = nIn} and {@code excitatoryUnits = nOut}, as plain layers do. Work buffers are kept
 * per batch size, so steady-state steps allocate nothing.
 */
public final class ColumnEiDense implements Layer {
    private final String name;
    private final int inhibitoryInputs;
    private final Parameter weight;
    private final Parameter bias;
    private final Activation activation;
    private final Blas blas;
    private final float[] row, hRow, sum, biasRow; // scratch for the activation passes, a batch row at a time
    private final Map<Integer, Buffers> buffers = new HashMap<>();
    private Matrix signedInput;
    private Buffers last;

    /** Per batch size B: {@code x D} (when some inputs are inhibitory), h (which also holds z), dx. */
    private record Buffers(int batch, Matrix xd, Matrix h, Matrix dx) {}

    /**
     * @param inhibitoryInputs number of input columns (the last ones) with sign -1, in {@code [0, nIn)}
     * @param activation       {@link Activation#RELU} for hidden layers, {@link Activation#IDENTITY} for the output
     */
    public ColumnEiDense(String name, int nIn, int inhibitoryInputs, int nOut, Activation activation, Blas blas) {
        this(name, nIn, inhibitoryInputs, nOut, activation, true, blas);
    }

    /**
     * @param signConstrained false for the "sign not fixed" control of Li et al. 2023
     *                        ({@code ColumnEiDense(..., clamp=False)}): {@code W_pos} is then free, so
     *                        the signs of {@code W_pos D} may flip during learning
     */
    public ColumnEiDense(
            String name,
            int nIn,
            int inhibitoryInputs,
            int nOut,
            Activation activation,
            boolean signConstrained,
            Blas blas) {
        if (nIn < 1 || nOut < 1)
            throw new IllegalArgumentException(name + ": layer sizes must be >= 1, got " + nIn + " -> " + nOut);
        if (inhibitoryInputs < 0 || inhibitoryInputs >= nIn)
            throw new IllegalArgumentException(
                    name + ": inhibitory inputs must be in [0, " + nIn + "), got " + inhibitoryInputs);
        this.name = name;
        this.inhibitoryInputs = inhibitoryInputs;
        this.weight = Parameter.of(
                name + ".W_pos", nOut, nIn, signConstrained ? Sign.NON_NEGATIVE : Sign.FREE, Role.WEIGHT, nIn, nOut);
        this.bias = Parameter.of(name + ".b", 1, nOut, Sign.FREE, Role.BIAS, nIn, nOut);
        this.activation = EiDense.isRelu(name, activation) ? Activation.RELU : Activation.IDENTITY;
        this.blas = blas;
        this.row = new float[nOut];
        this.hRow = new float[nOut];
        this.sum = new float[nOut];
        this.biasRow = new float[nOut];
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

    /** Input columns with sign +1 (the first ones). */
    public int excitatoryInputs() {
        return inputSize() - inhibitoryInputs;
    }

    /** Input columns with sign -1 (the last ones). */
    public int inhibitoryInputs() {
        return inhibitoryInputs;
    }

    /** {@code W_pos, b}. */
    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    Parameter weight() {
        return weight;
    }

    Parameter bias() {
        return bias;
    }

    /** {@code W_pos D} ({@code nOut x nIn}), a new matrix. */
    @Override
    public Optional<Matrix> effectiveWeight() {
        Matrix w = weight.value().copy();
        negateLastColumns(w);
        return Optional.of(w);
    }

    private void negateLastColumns(Matrix m) {
        for (int r = 0; r < m.rows; r++) {
            for (int c = m.cols - inhibitoryInputs, i = r * m.cols + c; c < m.cols; c++, i++) m.set(i, -m.get(i));
        }
    }

    private Buffers buffersFor(Matrix x) {
        if (x.cols != inputSize())
            throw new IllegalArgumentException(name + " takes " + inputSize() + " inputs, got " + x.cols);
        if (last != null && last.batch() == x.rows) return last;
        return buffers.computeIfAbsent(
                x.rows,
                b -> new Buffers(
                        b,
                        inhibitoryInputs == 0 ? null : Matrix.zeros(b, inputSize()),
                        Matrix.zeros(b, outputSize()),
                        Matrix.zeros(b, inputSize())));
    }

    @Override
    public Matrix forward(Matrix x) {
        Buffers buf = buffersFor(x);
        Matrix xd = x;
        if (inhibitoryInputs > 0) { // xd = x D              B x nIn
            xd = buf.xd();
            xd.copyFrom(x);
            negateLastColumns(xd);
        }
        Matrix h = buf.h(), b = bias.value();
        blas.gemm(false, true, 1f, xd, weight.value(), 0f, h); // z = x D W_pos^T       B x nOut
        activation.addBiasAndApply(h, b, h, row, biasRow); // h = f(z + b), in place
        signedInput = xd;
        last = buf;
        return h;
    }

    /**
     * Writes the gradients of {@code W_pos} and {@code b}; {@code dh} ({@code B x nOut}) is
     * overwritten with {@code dL/dz}. Returns {@code dL/dx} ({@code B x nIn}, owned by the layer) or null.
     */
    @Override
    public Matrix backward(Matrix dh, boolean needInputGrad) {
        Buffers buf = last;
        Matrix h = buf.h(), db = bias.grad();
        activation.backwardWithBiasGrad(h, dh, db, row, hRow, sum); // dz = dh ⊙ f'(z); db = sum_B dz
        blas.gemm(true, false, 1f, dh, signedInput, 0f, weight.grad()); // dW_pos = dz^T (x D)   nOut x nIn
        if (!needInputGrad) return null;
        blas.gemm(false, false, 1f, dh, weight.value(), 0f, buf.dx()); // dx = dz W_pos D       B x nIn
        negateLastColumns(buf.dx());
        return buf.dx();
    }
}
