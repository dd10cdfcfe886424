package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fully connected layer {@code h = f(x W^T + b)}. With split biases the bias is
 * {@code b = b_pos + b_neg}, two parameters that both receive the bias gradient, so that
 * sign-keeping rules (EG, sign-frozen GD) can still move it either way (Cornford et al. 2024,
 * {@code SplitBias}, science.md §3.1).
 *
 * <p>Shapes: {@code W} is {@code nOut x nIn} (post x pre), {@code b} is {@code 1 x nOut},
 * x is {@code batch x nIn}, h is {@code batch x nOut}. Work buffers are kept per batch size,
 * so steady-state steps allocate nothing; the pre-activations are overwritten by h, since
 * f' is read from h (see {@link Activation#backwardWithBiasGrad}).
 */
public final class Dense implements Layer {
    private final String name;
    private final Parameter weight;
    private final Parameter bias;
    /** The negative half of a split bias; null when the bias is not split. */
    private final Parameter negativeBias;

    private final Activation activation;
    private final Blas blas;
    private final Map<Integer, Buffers> buffers = new HashMap<>();
    // Row scratch of the fused element-wise passes (nOut each): see Activation.
    private final float[] row, hRow, rowAux;
    private Matrix lastInput;
    private Buffers last;

    /** Work buffers of one batch size: the output (pre-activations are overwritten in place) and dx, made on first backward. */
    private static final class Buffers {
        final Matrix h;
        Matrix dx;

        Buffers(Matrix h) {
            this.h = h;
        }
    }

    public Dense(String name, int nIn, int nOut, Activation activation, Blas blas) {
        this(name, nIn, nOut, activation, false, blas);
    }

    /** @param splitBias parameters {@code b_pos} and {@code b_neg} (both 1 x nOut) instead of {@code b} */
    public Dense(String name, int nIn, int nOut, Activation activation, boolean splitBias, Blas blas) {
        if (nIn < 1 || nOut < 1)
            throw new IllegalArgumentException(name + ": layer sizes must be >= 1, got " + nIn + " -> " + nOut);
        this.name = name;
        this.weight = Parameter.of(name + ".W", nOut, nIn, Parameter.Sign.FREE, Parameter.Role.WEIGHT, nIn, nOut);
        this.bias = Parameter.of(
                name + (splitBias ? ".b_pos" : ".b"), 1, nOut, Parameter.Sign.FREE, Parameter.Role.BIAS, nIn, nOut);
        this.negativeBias = splitBias
                ? Parameter.of(name + ".b_neg", 1, nOut, Parameter.Sign.FREE, Parameter.Role.BIAS, nIn, nOut)
                : null;
        this.activation = activation;
        this.blas = blas;
        this.row = new float[nOut];
        this.hRow = new float[nOut];
        this.rowAux = new float[nOut];
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

    public Parameter weight() {
        return weight;
    }

    /** The bias, or its positive half {@code b_pos} when split. */
    public Parameter bias() {
        return bias;
    }

    /** The negative half {@code b_neg} of a split bias; null when the bias is not split. */
    public Parameter negativeBias() {
        return negativeBias;
    }

    @Override
    public List<Parameter> parameters() {
        return negativeBias == null ? List.of(weight, bias) : List.of(weight, bias, negativeBias);
    }

    private Buffers buffersFor(int batch) {
        if (last != null && last.h.rows == batch) return last; // the steady state: no boxing, no lookup
        Buffers buf = buffers.get(batch);
        if (buf == null) {
            buf = new Buffers(Matrix.zeros(batch, weight.value().rows));
            buffers.put(batch, buf);
        }
        return buf;
    }

    /** {@code h = f(x W^T + b)}: one gemm into h, then bias and f fused in one pass over h. */
    @Override
    public Matrix forward(Matrix x) {
        Buffers buf = buffersFor(x.rows);
        Matrix h = buf.h;
        blas.gemm(false, true, 1f, x, weight.value(), 0f, h);
        if (negativeBias != null) addRowVector(h, negativeBias.value()); // split bias: b_pos + b_neg
        activation.addBiasAndApply(h, bias.value(), h, row, rowAux);
        lastInput = x;
        last = buf;
        return h;
    }

    /** {@code dz = dh * f'(z)} fused with {@code db = sum_rows dz}; {@code dW = dz^T x}; {@code dx = dz W}. */
    @Override
    public Matrix backward(Matrix dh, boolean needInputGrad) {
        activation.backwardWithBiasGrad(last.h, dh, bias.grad(), row, hRow, rowAux);
        blas.gemm(true, false, 1f, dh, lastInput, 0f, weight.grad());
        if (negativeBias != null) negativeBias.grad().copyFrom(bias.grad());
        if (!needInputGrad) return null;
        if (last.dx == null) last.dx = Matrix.zeros(dh.rows, weight.value().cols);
        blas.gemm(false, false, 1f, dh, weight.value(), 0f, last.dx);
        return last.dx;
    }

    /** {@code h[r, j] += v[j]} for every row. */
    private static void addRowVector(Matrix h, Matrix v) {
        int n = h.cols;
        for (int r = 0, off = 0; r < h.rows; r++, off += n) {
            for (int j = 0; j < n; j++) h.set(off + j, h.get(off + j) + v.get(j));
        }
    }
}
