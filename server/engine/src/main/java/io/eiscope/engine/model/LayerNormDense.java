package io.eiscope.engine.model;

import io.eiscope.engine.model.Parameter.Role;
import io.eiscope.engine.model.Parameter.Sign;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A dense layer normalised across its units, the LayerNorm MLP baseline of Cornford et al. 2021
 * (ICLR) §1.5, reference code {@code ariamis/base_models.py: LayerNormLayer}:
 * {@code zHat = W x + b}, {@code z = (g / sigma) (zHat - mu) + b}, {@code h = f(z)}, with
 * {@code mu} and {@code sigma} the mean and standard deviation of {@code zHat} across the units
 * of each sample. {@code b} appears twice, before and after the normalisation, as in the code.
 *
 * <p>{@code sigma = sqrt(var + EPSILON)} with the unbiased variance (divisor {@code n - 1}, as
 * {@code torch.std} in the reference) and {@link #EPSILON} {@code = 1e-5}, which the reference
 * does not add; it only keeps {@code sigma > 0} when every unit gets the same input (e.g. a dead
 * previous layer) and changes typical outputs by about {@code 1e-5} relative.
 *
 * <p>Shapes, batch-first: x {@code B x nIn}, h {@code B x nOut} ({@code nOut >= 2}); {@code W nOut x nIn},
 * {@code g 1 x nOut}, {@code b 1 x nOut}, all free. Work buffers are kept per batch size, so
 * steady-state steps allocate nothing.
 */
public final class LayerNormDense implements Layer {
    /** Added to the variance inside the square root. */
    public static final float EPSILON = 1e-5f;

    private final String name;
    private final Parameter weight;
    private final Parameter gain;
    private final Parameter bias;
    private final boolean relu;
    private final Blas blas;
    private final Map<Integer, Buffers> buffers = new HashMap<>();
    private Matrix x;
    private Buffers last;

    /** Per batch size B: normalised {@code (zHat - mu) / sigma}, {@code 1/sigma} per row, h, dx. */
    private record Buffers(int batch, Matrix normalised, Matrix invSigma, Matrix h, Matrix dx) {}

    /** @param activation {@link Activation#RELU} for hidden layers, {@link Activation#IDENTITY} for the output */
    public LayerNormDense(String name, int nIn, int nOut, Activation activation, Blas blas) {
        if (nIn < 1 || nOut < 2)
            throw new IllegalArgumentException(
                    name + ": a layer-normalised layer needs nIn >= 1 and nOut >= 2, got " + nIn + " -> " + nOut);
        this.name = name;
        this.weight = Parameter.of(name + ".W", nOut, nIn, Sign.FREE, Role.WEIGHT, nIn, nOut);
        this.gain = Parameter.of(name + ".g", 1, nOut, Sign.FREE, Role.GAIN, nIn, nOut);
        this.bias = Parameter.of(name + ".b", 1, nOut, Sign.FREE, Role.BIAS, nIn, nOut);
        this.relu = EiDense.isRelu(name, activation);
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

    /** {@code W, g, b}. */
    @Override
    public List<Parameter> parameters() {
        return List.of(weight, gain, bias);
    }

    Parameter weight() {
        return weight;
    }

    Parameter gain() {
        return gain;
    }

    Parameter bias() {
        return bias;
    }

    private Buffers buffersFor(Matrix x) {
        if (x.cols != inputSize())
            throw new IllegalArgumentException(name + " takes " + inputSize() + " inputs, got " + x.cols);
        if (last != null && last.batch() == x.rows) return last;
        return buffers.computeIfAbsent(
                x.rows,
                b -> new Buffers(
                        b,
                        Matrix.zeros(b, outputSize()),
                        Matrix.zeros(b, 1),
                        Matrix.zeros(b, outputSize()),
                        Matrix.zeros(b, inputSize())));
    }

    @Override
    public Matrix forward(Matrix x) {
        Buffers buf = buffersFor(x);
        Matrix nz = buf.normalised(), h = buf.h(), g = gain.value(), b = bias.value();
        blas.gemm(false, true, 1f, x, weight.value(), 0f, nz); // W x                       B x n
        int n = nz.cols;
        for (int r = 0; r < nz.rows; r++) {
            int off = r * n;
            double sum = 0, sq = 0;
            for (int k = 0; k < n; k++) { // zHat = W x + b; moments in double
                float z = nz.get(off + k) + b.get(k);
                nz.set(off + k, z);
                sum += z;
                sq += (double) z * z;
            }
            double mu = sum / n, var = Math.max(0, (sq - sum * mu) / (n - 1));
            float inv = (float) (1 / Math.sqrt(var + EPSILON)), m = (float) mu;
            buf.invSigma().set(r, inv);
            for (int k = 0; k < n; k++) { // nz = (zHat - mu)/sigma; h = f(g nz + b)
                float v = (nz.get(off + k) - m) * inv;
                nz.set(off + k, v);
                float z = g.get(k) * v + b.get(k);
                h.set(off + k, relu ? Math.max(z, 0f) : z);
            }
        }
        this.x = x;
        this.last = buf;
        return h;
    }

    /**
     * Writes the gradients of {@code W, g, b}; {@code dh} ({@code B x nOut}) is overwritten with
     * {@code dL/dzHat}. Returns {@code dL/dx} ({@code B x nIn}, owned by the layer) or null.
     */
    @Override
    public Matrix backward(Matrix dh, boolean needInputGrad) {
        Buffers buf = last;
        Matrix nz = buf.normalised(), h = buf.h(), g = gain.value(), dg = gain.grad(), db = bias.grad();
        int n = dh.cols;
        dg.fill(0f);
        db.fill(0f);
        for (int r = 0; r < dh.rows; r++) {
            int off = r * n;
            float s1 = 0, s2 = 0;
            for (int k = 0; k < n; k++) { // dz = dh f'(z); dnz = dz g
                float dz = relu && h.get(off + k) <= 0f ? 0f : dh.get(off + k);
                float v = nz.get(off + k), dn = dz * g.get(k);
                dg.set(k, dg.get(k) + dz * v);
                db.set(k, db.get(k) + dz);
                dh.set(off + k, dn);
                s1 += dn;
                s2 += dn * v;
            }
            float inv = buf.invSigma().get(r), mean = s1 / n, cov = s2 / (n - 1);
            for (int k = 0; k < n; k++) { // dzHat = (dnz - mean(dnz) - nz sum(dnz nz)/(n-1)) / sigma
                float dz = (dh.get(off + k) - mean - nz.get(off + k) * cov) * inv;
                dh.set(off + k, dz);
                db.set(k, db.get(k) + dz);
            }
        }
        blas.gemm(true, false, 1f, dh, x, 0f, weight.grad()); // dW = dzHat^T x   nOut x nIn
        if (!needInputGrad) return null;
        blas.gemm(false, false, 1f, dh, weight.value(), 0f, buf.dx()); // dx = dzHat W   B x nIn
        return buf.dx();
    }
}
