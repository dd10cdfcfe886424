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
 * so steady-state steps allocate nothing.
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
    private Matrix lastInput;
    private Buffers last;

    private record Buffers(Matrix z, Matrix h, Matrix dx) {}

    public Dense(String name, int nIn, int nOut, Activation activation, Blas blas) {
        this(name, nIn, nOut, activation, false, blas);
    }

    /** @param splitBias parameters {@code b_pos} and {@code b_neg} (both 1 x nOut) instead of {@code b} */
    public Dense(String name, int nIn, int nOut, Activation activation, boolean splitBias, Blas blas) {
        if (nIn < 1 || nOut < 1) throw new IllegalArgumentException(name + ": layer sizes must be >= 1, got " + nIn + " -> " + nOut);
        this.name = name;
        this.weight = Parameter.of(name + ".W", nOut, nIn, Parameter.Sign.FREE, Parameter.Role.WEIGHT, nIn, nOut);
        this.bias = Parameter.of(name + (splitBias ? ".b_pos" : ".b"), 1, nOut, Parameter.Sign.FREE, Parameter.Role.BIAS, nIn, nOut);
        this.negativeBias = splitBias ? Parameter.of(name + ".b_neg", 1, nOut, Parameter.Sign.FREE, Parameter.Role.BIAS, nIn, nOut) : null;
        this.activation = activation;
        this.blas = blas;
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
        return buffers.computeIfAbsent(batch, b -> {
            Matrix z = Matrix.zeros(b, weight.value().rows);
            Matrix h = activation == Activation.IDENTITY ? z : Matrix.zeros(b, weight.value().rows);
            return new Buffers(z, h, Matrix.zeros(b, weight.value().cols));
        });
    }

    @Override
    public Matrix forward(Matrix x) {
        Buffers buf = buffersFor(x.rows);
        Matrix z = buf.z();
        blas.gemm(false, true, 1f, x, weight.value(), 0f, z);
        Matrix b = bias.value(), bNeg = negativeBias == null ? null : negativeBias.value();
        int n = z.cols;
        for (int r = 0; r < z.rows; r++) {
            int off = r * n;
            for (int j = 0; j < n; j++) z.set(off + j, z.get(off + j) + b.get(j) + (bNeg == null ? 0f : bNeg.get(j)));
        }
        activation.apply(z, buf.h());
        lastInput = x;
        last = buf;
        return buf.h();
    }

    /** {@code dz = dh * f'(z)}, {@code dW = dz^T x}, {@code db = sum_rows dz}, {@code dx = dz W}. */
    @Override
    public Matrix backward(Matrix dh, boolean needInputGrad) {
        activation.backward(last.z(), dh);
        blas.gemm(true, false, 1f, dh, lastInput, 0f, weight.grad());
        Matrix db = bias.grad();
        int n = dh.cols;
        for (int j = 0; j < n; j++) {
            float s = 0f;
            for (int r = 0; r < dh.rows; r++) s += dh.get(r * n + j);
            db.set(j, s);
        }
        if (negativeBias != null) negativeBias.grad().copyFrom(db);
        if (!needInputGrad) return null;
        blas.gemm(false, false, 1f, dh, weight.value(), 0f, last.dx());
        return last.dx();
    }
}
