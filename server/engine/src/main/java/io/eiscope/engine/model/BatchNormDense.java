package io.eiscope.engine.model;

import io.eiscope.engine.model.Parameter.Role;
import io.eiscope.engine.model.Parameter.Sign;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Elementwise;
import io.eiscope.engine.tensor.Matrix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A dense layer normalised across the batch, the BatchNorm MLP baseline of Cornford et al. 2021
 * (ICLR) §1.5, reference code {@code ariamis/base_models.py: BatchNormLayer}:
 * {@code zHat = W x + b}, {@code z = (g / sigma) (zHat - mu) + b}, {@code h = f(z)}, with
 * {@code mu} and {@code sigma} the mean and standard deviation of each unit's {@code zHat} over
 * the examples of the batch. {@code b} appears twice, as in the code (the first one has no
 * effect: the batch mean removes it, so its part of the gradient is zero).
 *
 * <p>Evaluation uses the statistics of the batch it is given, as the reference does (its layer
 * keeps no running averages, and its test pass feeds the whole test set as one batch); the
 * simulation likewise evaluates models with {@link #minimumBatchSize()} > 1 on the whole held-out
 * set at once. The {@code dx} buffer is made on the first backward pass of a batch size, so
 * evaluation batches (which have none) do not hold one.
 *
 * <p>{@code sigma = sqrt(var + EPSILON)} with the unbiased variance (divisor {@code B - 1}, as
 * {@code torch.std} in the reference) and {@link #EPSILON} {@code = 1e-5}, which the reference does
 * not add; it keeps {@code sigma > 0} for a unit whose input is the same for every example (a
 * dead ReLU upstream). A batch of one example has no spread: its divisor is taken as 1, so every
 * unit outputs {@code f(b)} (training needs {@link #minimumBatchSize()} examples).
 *
 * <p>Shapes, batch-first: x {@code B x nIn}, h {@code B x nOut}; {@code W nOut x nIn}, {@code g 1 x
 * nOut}, {@code b 1 x nOut}, all free. Moments are accumulated in double; work buffers are kept per
 * batch size, so steady-state steps allocate nothing.
 */
public final class BatchNormDense implements Layer {
    /** Added to the variance inside the square root. */
    public static final float EPSILON = 1e-5f;

    private final String name;
    private final Parameter weight;
    private final Parameter gain;
    private final Parameter bias;
    private final boolean relu;
    private final Blas blas;
    private final double[] sum;
    private final double[] sumSquares;
    private final float[] mean;
    private final float[] invSigma;
    private final RowScratch rows;
    private final Map<Integer, Buffers> buffers = new HashMap<>();
    private Matrix x;
    private Buffers last;

    /** Per batch size B: normalised {@code (zHat - mu) / sigma}, h, and dx (made by the first backward pass). */
    private static final class Buffers {
        final int batch;
        final Matrix normalised;
        final Matrix h;
        Matrix dx;

        Buffers(int batch, int nOut) {
            this.batch = batch;
            this.normalised = Matrix.zeros(batch, nOut);
            this.h = Matrix.zeros(batch, nOut);
        }
    }

    /** @param activation {@link Activation#RELU} for hidden layers, {@link Activation#IDENTITY} for the output */
    public BatchNormDense(String name, int nIn, int nOut, Activation activation, Blas blas) {
        if (nIn < 1 || nOut < 1)
            throw new IllegalArgumentException(
                    name + ": a batch-normalised layer needs nIn, nOut >= 1, got " + nIn + " -> " + nOut);
        this.name = name;
        this.weight = Parameter.of(name + ".W", nOut, nIn, Sign.FREE, Role.WEIGHT, nIn, nOut);
        this.gain = Parameter.of(name + ".g", 1, nOut, Sign.FREE, Role.GAIN, nIn, nOut);
        this.bias = Parameter.of(name + ".b", 1, nOut, Sign.FREE, Role.BIAS, nIn, nOut);
        this.relu = EiDense.isRelu(name, activation);
        this.blas = blas;
        this.sum = new double[nOut];
        this.sumSquares = new double[nOut];
        this.mean = new float[nOut];
        this.invSigma = new float[nOut];
        this.rows = new RowScratch(nOut, nOut);
    }

    /** Two: one example has no spread to normalise by. */
    @Override
    public int minimumBatchSize() {
        return 2;
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

    /** Each unit's batch mean {@code mu} of {@code zHat} in the latest forward call (a copy). */
    public float[] lastMean() {
        return mean.clone();
    }

    /** Each unit's {@code 1 / sigma} in the latest forward call (a copy). */
    public float[] lastInverseSigma() {
        return invSigma.clone();
    }

    private Buffers buffersFor(Matrix x) {
        if (x.cols != inputSize())
            throw new IllegalArgumentException(name + " takes " + inputSize() + " inputs, got " + x.cols);
        if (last != null && last.batch == x.rows) return last;
        return buffers.computeIfAbsent(x.rows, b -> new Buffers(b, outputSize()));
    }

    @Override
    public Matrix forward(Matrix x) {
        Buffers buf = buffersFor(x);
        Matrix nz = buf.normalised, h = buf.h, g = gain.value(), b = bias.value();
        blas.gemm(false, true, 1f, x, weight.value(), 0f, nz); // W x                       B x n
        int n = nz.cols, batch = nz.rows;
        float[] a = rows.a, c = rows.c, gk = rows.gain, bk = rows.bias;
        g.data().get(0, gk, 0, n);
        b.data().get(0, bk, 0, n);
        java.util.Arrays.fill(sum, 0);
        java.util.Arrays.fill(sumSquares, 0);
        for (int r = 0, off = 0; r < batch; r++, off += n) { // zHat = W x + b; moments per unit (column) in double
            nz.data().get(off, a, 0, n);
            for (int k = 0; k < n; k++) a[k] = a[k] + bk[k];
            for (int k = 0; k < n; k++) {
                sum[k] += a[k];
                sumSquares[k] += (double) a[k] * a[k];
            }
            nz.data().put(off, a, 0, n);
        }
        for (int k = 0; k < n; k++) {
            double mu = sum[k] / batch, var = Math.max(0, (sumSquares[k] - sum[k] * mu) / Math.max(1, batch - 1));
            mean[k] = (float) mu;
            invSigma[k] = (float) (1 / Math.sqrt(var + EPSILON));
        }
        for (int r = 0, off = 0; r < batch; r++, off += n) { // nz = (zHat - mu)/sigma; h = f(g nz + b)
            nz.data().get(off, a, 0, n);
            for (int k = 0; k < n; k++) a[k] = (a[k] - mean[k]) * invSigma[k];
            for (int k = 0; k < n; k++) c[k] = gk[k] * a[k] + bk[k];
            if (relu) Elementwise.clampNonNegative(c, n);
            nz.data().put(off, a, 0, n);
            h.data().put(off, c, 0, n);
        }
        this.x = x;
        this.last = buf;
        return h;
    }

    /**
     * Writes the gradients of {@code W, g, b}; {@code dh} ({@code B x nOut}) is overwritten with
     * {@code dL/dzHat}. Returns {@code dL/dx} ({@code B x nIn}, owned by the layer) or null.
     *
     * <p>Per unit, over the batch: {@code dzHat = (dnz - mean(dnz) - nz sum(dnz nz)/(B - 1)) / sigma}
     * with {@code dnz = g f'(z) dh}, the derivative of the unbiased standardisation.
     */
    @Override
    public Matrix backward(Matrix dh, boolean needInputGrad) {
        Buffers buf = last;
        Matrix nz = buf.normalised, h = buf.h, g = gain.value(), dg = gain.grad(), db = bias.grad();
        int n = dh.cols, batch = dh.rows;
        float[] d = rows.a, v = rows.b, hr = rows.c, gk = rows.gain, dgk = rows.dGain, dbk = rows.dBias;
        g.data().get(0, gk, 0, n);
        java.util.Arrays.fill(dgk, 0, n, 0f);
        java.util.Arrays.fill(dbk, 0, n, 0f);
        java.util.Arrays.fill(sum, 0); // sum over the batch of dnz, per unit
        java.util.Arrays.fill(sumSquares, 0); // sum over the batch of dnz * nz, per unit
        for (int r = 0, off = 0; r < batch; r++, off += n) {
            dh.data().get(off, d, 0, n);
            if (relu) { // dz = dh f'(z)
                h.data().get(off, hr, 0, n);
                for (int k = 0; k < n; k++) {
                    if (hr[k] <= 0f) d[k] = 0f;
                }
            }
            nz.data().get(off, v, 0, n);
            for (int k = 0; k < n; k++) {
                dgk[k] = dgk[k] + d[k] * v[k];
                dbk[k] = dbk[k] + d[k];
            }
            for (int k = 0; k < n; k++) d[k] = d[k] * gk[k]; // dnz = dz g
            for (int k = 0; k < n; k++) {
                sum[k] += d[k];
                sumSquares[k] += (double) d[k] * v[k];
            }
            dh.data().put(off, d, 0, n);
        }
        int divisor = Math.max(1, batch - 1);
        for (int k = 0; k < n; k++) { // reuse the moment arrays as the per-unit mean and covariance terms
            sum[k] /= batch;
            sumSquares[k] /= divisor;
        }
        for (int r = 0, off = 0; r < batch; r++, off += n) {
            dh.data().get(off, d, 0, n);
            nz.data().get(off, v, 0, n);
            for (int k = 0; k < n; k++) d[k] = (float) ((d[k] - sum[k] - v[k] * sumSquares[k]) * invSigma[k]);
            for (int k = 0; k < n; k++)
                dbk[k] = dbk[k] + d[k]; // the first b: zero up to rounding, as the batch mean removes it
            dh.data().put(off, d, 0, n);
        }
        dg.data().put(0, dgk, 0, n);
        db.data().put(0, dbk, 0, n);
        blas.gemm(true, false, 1f, dh, x, 0f, weight.grad()); // dW = dzHat^T x   nOut x nIn
        if (!needInputGrad) return null;
        if (buf.dx == null) buf.dx = Matrix.zeros(buf.batch, inputSize());
        blas.gemm(false, false, 1f, dh, weight.value(), 0f, buf.dx); // dx = dzHat W   B x nIn
        return buf.dx;
    }
}
