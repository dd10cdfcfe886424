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
 * A Dale's ANN layer with subtractive and divisive (shunting) feed-forward inhibition:
 * Cornford et al. 2021, "Learning to live with Dale's principle" (ICLR), §1.1 of the science
 * specification, reference code {@code ariamis/ei_models.py: EiDenseWithShunt}.
 *
 * <p>For each input row {@code x} ({@code d}): {@code zE = Wex x} ({@code ne}), {@code zI = Wix x}
 * ({@code ni}, linear inhibitory units), {@code zHat = zE - Wei zI}, {@code gamma = Wei (e^alpha ⊙ zI)
 * + eps} with {@code eps = 1e-8}, {@code z = g ⊙ zHat / gamma + b}, {@code h = f(z)} with f ReLU
 * (hidden layers) or the identity (the output layer).
 *
 * <p>Shapes, batch-first: x {@code B x d}, h {@code B x ne}; {@code Wex ne x d}, {@code Wix ni x d},
 * {@code Wei ne x ni} (all >= 0 by projection), {@code alpha 1 x ni}, {@code g 1 x ne} (>= 0),
 * {@code b 1 x ne}. Work buffers are kept per batch size, so steady-state steps allocate nothing.
 * Confined to the simulation's thread.
 */
public final class DannLayer implements Layer {
    /** The {@code eps} of the divisive normaliser, as in the reference code. */
    public static final float EPSILON = 1e-8f;

    private final String name;
    private final EiWeights w;
    private final Parameter alpha;
    private final Parameter gain;
    private final boolean relu;
    private final Blas blas;
    private final float[] expAlpha;
    private final Map<Integer, Buffers> buffers = new HashMap<>();
    private Matrix x;
    private Buffers last;
    private Matrix lastDzHat; // the dh of the latest backward, overwritten there with dL/dzHat
    private DannSquaredGradients squared; // made on first use (d-NGD only)

    /** Per batch size B: forward state (zHat, gamma, h, zI, u = zI ⊙ e^alpha) and backward scratch (dz = dL/dz kept for d-NGD). */
    private record Buffers(
            int batch,
            Matrix zHat,
            Matrix gamma,
            Matrix h,
            Matrix zI,
            Matrix u,
            Matrix dz,
            Matrix dGamma,
            Matrix du,
            Matrix dzI,
            Matrix dx) {}

    /** What the latest forward and backward passes left, for per-example gradients (all {@code B x ...}, owned by the layer). */
    record Pass(
            Matrix x,
            Matrix zHat,
            Matrix gamma,
            Matrix zI,
            Matrix u,
            Matrix dz,
            Matrix dzHat,
            Matrix dGamma,
            Matrix du,
            Matrix dzI) {}

    /**
     * A zero-initialised layer (see {@link Dann#init} for the paper's initialisation).
     *
     * @param activation {@link Activation#RELU} for hidden layers, {@link Activation#IDENTITY} for the output
     */
    public DannLayer(String name, int d, int ne, int ni, Activation activation, Blas blas) {
        this.name = name;
        this.w = EiWeights.create(name, d, ne, ni);
        this.alpha = Parameter.of(name + ".alpha", 1, ni, Sign.FREE, Role.SHUNT, d, ne);
        this.gain = Parameter.of(name + ".g", 1, ne, Sign.NON_NEGATIVE, Role.GAIN, d, ne);
        this.relu = EiDense.isRelu(name, activation);
        this.blas = blas;
        this.expAlpha = new float[ni];
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int inputSize() {
        return w.d();
    }

    @Override
    public int outputSize() {
        return w.ne();
    }

    /** Number of inhibitory units. */
    public int inhibitoryUnits() {
        return w.ni();
    }

    /** {@code Wex, Wix, Wei, alpha, g, b}. */
    @Override
    public List<Parameter> parameters() {
        return List.of(w.wex(), w.wix(), w.wei(), alpha, gain, w.b());
    }

    EiWeights eiWeights() {
        return w;
    }

    Parameter alpha() {
        return alpha;
    }

    Parameter gain() {
        return gain;
    }

    /** {@code Wex - Wei Wix} ({@code ne x d}), a new matrix. */
    @Override
    public Optional<Matrix> effectiveWeight() {
        return Optional.of(w.effective(blas));
    }

    /** The divisive normaliser {@code gamma} ({@code B x ne}) of the latest forward call, owned by the layer; null before any. */
    public Matrix lastGamma() {
        return last == null ? null : last.gamma();
    }

    /**
     * After {@link #backward}: writes to {@code out} (one matrix per parameter, in {@link #parameters}
     * order and shapes) the sum over the batch of each example's gradient, times {@code scale},
     * squared: what the diagonal Fisher of d-NGD averages. The examples' gradients are the terms of
     * the gradient {@link #backward} wrote, one per row of its {@code dh}.
     *
     * @throws IllegalStateException before any backward pass
     */
    public void squaredPerExampleGradients(float scale, List<Matrix> out) {
        if (lastDzHat == null)
            throw new IllegalStateException(name + ": per-example gradients need a backward pass first");
        if (squared == null) squared = new DannSquaredGradients(blas);
        Buffers b = last;
        squared.compute(
                new Pass(x, b.zHat(), b.gamma(), b.zI(), b.u(), b.dz(), lastDzHat, b.dGamma(), b.du(), b.dzI()),
                scale,
                out);
    }

    private Buffers buffersFor(Matrix x) {
        if (x.cols != w.d()) throw new IllegalArgumentException(name + " takes " + w.d() + " inputs, got " + x.cols);
        if (last != null && last.batch() == x.rows) return last;
        return buffers.computeIfAbsent(x.rows, b -> {
            int ne = w.ne(), ni = w.ni();
            return new Buffers(
                    b,
                    Matrix.zeros(b, ne),
                    Matrix.zeros(b, ne),
                    Matrix.zeros(b, ne),
                    Matrix.zeros(b, ni),
                    Matrix.zeros(b, ni),
                    Matrix.zeros(b, ne),
                    Matrix.zeros(b, ne),
                    Matrix.zeros(b, ni),
                    Matrix.zeros(b, ni),
                    Matrix.zeros(b, w.d()));
        });
    }

    @Override
    public Matrix forward(Matrix x) {
        Buffers buf = buffersFor(x);
        Matrix zHat = buf.zHat(), zI = buf.zI(), u = buf.u(), gamma = buf.gamma(), h = buf.h();
        Matrix wei = w.wei().value();
        int ni = w.ni(), ne = w.ne(), batch = x.rows;
        blas.gemm(false, true, 1f, x, w.wex().value(), 0f, zHat); // zE = x Wex^T           B x ne
        blas.gemm(false, true, 1f, x, w.wix().value(), 0f, zI); // zI = x Wix^T           B x ni
        blas.gemm(false, true, -1f, zI, wei, 1f, zHat); // zHat = zE - zI Wei^T   B x ne
        for (int j = 0; j < ni; j++)
            expAlpha[j] = (float) Math.exp(alpha.value().get(j));
        for (int r = 0, i = 0; r < batch; r++) { // u = zI ⊙ e^alpha        B x ni
            for (int j = 0; j < ni; j++, i++) u.set(i, zI.get(i) * expAlpha[j]);
        }
        blas.gemm(false, true, 1f, u, wei, 0f, gamma); // gamma = u Wei^T (+ eps) B x ne
        Matrix g = gain.value(), b = w.b().value();
        for (int r = 0, i = 0; r < batch; r++) { // z = g zHat / gamma + b; h = f(z)
            for (int k = 0; k < ne; k++, i++) {
                float gm = gamma.get(i) + EPSILON;
                gamma.set(i, gm);
                float z = g.get(k) * zHat.get(i) / gm + b.get(k);
                h.set(i, relu ? Math.max(z, 0f) : z);
            }
        }
        this.x = x;
        this.last = buf;
        return h;
    }

    /**
     * Writes the gradients of all six parameters; {@code dh} ({@code B x ne}) is overwritten
     * with {@code dL/dzHat}. Returns {@code dL/dx} ({@code B x d}, owned by the layer) or null.
     */
    @Override
    public Matrix backward(Matrix dh, boolean needInputGrad) {
        Buffers buf = last;
        Matrix zHat = buf.zHat(), gamma = buf.gamma(), h = buf.h(), zI = buf.zI(), u = buf.u();
        Matrix dGamma = buf.dGamma(), du = buf.du(), dzI = buf.dzI();
        Matrix g = gain.value(), dg = gain.grad(), db = w.b().grad();
        Matrix wei = w.wei().value();
        int ne = w.ne(), ni = w.ni(), batch = dh.rows;
        dg.fill(0f);
        db.fill(0f);
        for (int r = 0, i = 0; r < batch; r++) {
            for (int k = 0; k < ne; k++, i++) {
                float dz = relu && h.get(i) <= 0f ? 0f : dh.get(i); // dz = dh ⊙ f'(z)
                buf.dz().set(i, dz);
                float gm = gamma.get(i), n = zHat.get(i) / gm, gk = g.get(k);
                dg.set(k, dg.get(k) + dz * n); // dg = sum_B dz ⊙ zHat/gamma
                db.set(k, db.get(k) + dz); // db = sum_B dz
                dh.set(i, dz * gk / gm); // dzHat = dz g / gamma
                dGamma.set(i, -dz * gk * n / gm); // dgamma = -dz g zHat / gamma^2
            }
        }
        Matrix dzHat = dh;
        lastDzHat = dh;
        blas.gemm(true, false, 1f, dzHat, x, 0f, w.wex().grad()); // dWex = dzHat^T x             ne x d
        blas.gemm(true, false, -1f, dzHat, zI, 0f, w.wei().grad()); // dWei = -dzHat^T zI + dgamma^T u  ne x ni
        blas.gemm(true, false, 1f, dGamma, u, 1f, w.wei().grad());
        blas.gemm(false, false, 1f, dGamma, wei, 0f, du); // du = dgamma Wei               B x ni
        Matrix dAlpha = alpha.grad();
        dAlpha.fill(0f);
        for (int r = 0, i = 0; r < batch; r++) { // dalpha = sum_B du ⊙ u; dzI = du ⊙ e^alpha
            for (int j = 0; j < ni; j++, i++) {
                dAlpha.set(j, dAlpha.get(j) + du.get(i) * u.get(i));
                dzI.set(i, du.get(i) * expAlpha[j]);
            }
        }
        blas.gemm(false, false, -1f, dzHat, wei, 1f, dzI); // dzI -= dzHat Wei              B x ni
        blas.gemm(true, false, 1f, dzI, x, 0f, w.wix().grad()); // dWix = dzI^T x                ni x d
        if (!needInputGrad) return null;
        blas.gemm(false, false, 1f, dzHat, w.wex().value(), 0f, buf.dx()); // dx = dzHat Wex + dzI Wix  B x d
        blas.gemm(false, false, 1f, dzI, w.wix().value(), 1f, buf.dx());
        return buf.dx();
    }
}
