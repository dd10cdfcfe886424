package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fully connected layer {@code h = f(x W^T + b)}.
 *
 * <p>Shapes: {@code W} is {@code nOut x nIn} (post x pre), {@code b} is {@code 1 x nOut},
 * x is {@code batch x nIn}, h is {@code batch x nOut}. Work buffers are kept per batch size,
 * so steady-state steps allocate nothing.
 */
public final class Dense implements Layer {
    private final String name;
    private final Parameter weight;
    private final Parameter bias;
    private final Activation activation;
    private final Blas blas;
    private final Map<Integer, Buffers> buffers = new HashMap<>();
    private Matrix lastInput;
    private Buffers last;

    private record Buffers(Matrix z, Matrix h, Matrix dx) {}

    public Dense(String name, int nIn, int nOut, Activation activation, Blas blas) {
        if (nIn < 1 || nOut < 1) throw new IllegalArgumentException(name + ": layer sizes must be >= 1, got " + nIn + " -> " + nOut);
        this.name = name;
        this.weight = Parameter.of(name + ".W", nOut, nIn, Parameter.Sign.FREE, Parameter.Role.WEIGHT, nIn, nOut);
        this.bias = Parameter.of(name + ".b", 1, nOut, Parameter.Sign.FREE, Parameter.Role.BIAS, nIn, nOut);
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

    public Parameter bias() {
        return bias;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
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
        Matrix b = bias.value();
        int n = z.cols;
        for (int r = 0; r < z.rows; r++) {
            int off = r * n;
            for (int j = 0; j < n; j++) z.set(off + j, z.get(off + j) + b.get(j));
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
        if (!needInputGrad) return null;
        blas.gemm(false, false, 1f, dh, weight.value(), 0f, last.dx());
        return last.dx();
    }
}
