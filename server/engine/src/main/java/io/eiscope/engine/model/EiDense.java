package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Dale's ANN layer with subtractive feed-forward inhibition only: Cornford et al. 2021,
 * "Learning to live with Dale's principle" (ICLR), §1.1 of the science specification,
 * reference code {@code ariamis/ei_models.py: EiDense}.
 *
 * <p>For each input row {@code x} ({@code d}): {@code z = (Wex - Wei Wix) x + b}, {@code h = f(z)}
 * with f ReLU (hidden layers) or the identity (the output layer). As in the reference code there
 * is no gain {@code g} and no shunt {@code alpha}: those belong to the divisive part
 * ({@link DannLayer}).
 *
 * <p>Shapes, batch-first: x {@code B x d}, h {@code B x ne}; {@code Wex ne x d}, {@code Wix ni x d},
 * {@code Wei ne x ni} (all >= 0 by projection), {@code b 1 x ne}. The product is kept factored,
 * {@code x Wex^T - (x Wix^T) Wei^T}, which costs less than forming {@code W} for minibatches.
 * Work buffers are kept per batch size, so steady-state steps allocate nothing.
 */
public final class EiDense implements Layer {
    private final String name;
    private final EiWeights w;
    private final Activation activation;
    private final Blas blas;
    private final float[] row, hRow, sum, biasRow; // scratch for the activation passes, a batch row at a time
    private final Map<Integer, Buffers> buffers = new HashMap<>();
    private Matrix x;
    private Buffers last;

    /** Per batch size B: h (which also holds z), zI, and backward scratch dzI, dx. */
    private record Buffers(int batch, Matrix h, Matrix zI, Matrix dzI, Matrix dx) {}

    /**
     * A zero-initialised layer (see {@link Dann#init} for the paper's initialisation).
     *
     * @param activation {@link Activation#RELU} for hidden layers, {@link Activation#IDENTITY} for the output
     */
    public EiDense(String name, int d, int ne, int ni, Activation activation, Blas blas) {
        this.name = name;
        this.w = EiWeights.create(name, d, ne, ni);
        this.activation = isRelu(name, activation) ? Activation.RELU : Activation.IDENTITY;
        this.blas = blas;
        this.row = new float[ne];
        this.hRow = new float[ne];
        this.sum = new float[ne];
        this.biasRow = new float[ne];
    }

    /** The E/I layers fuse their non-linearity into their own loops, so they take ReLU or the identity only. */
    static boolean isRelu(String layer, Activation activation) {
        if (activation != Activation.RELU && activation != Activation.IDENTITY)
            throw new IllegalArgumentException(layer + ": E/I layers support RELU or IDENTITY, got " + activation);
        return activation == Activation.RELU;
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

    /** {@code Wex, Wix, Wei, b}. */
    @Override
    public List<Parameter> parameters() {
        return List.of(w.wex(), w.wix(), w.wei(), w.b());
    }

    EiWeights eiWeights() {
        return w;
    }

    /** {@code Wex - Wei Wix} ({@code ne x d}), a new matrix. */
    @Override
    public Optional<Matrix> effectiveWeight() {
        return Optional.of(w.effective(blas));
    }

    private Buffers buffersFor(Matrix x) {
        if (x.cols != w.d()) throw new IllegalArgumentException(name + " takes " + w.d() + " inputs, got " + x.cols);
        if (last != null && last.batch() == x.rows) return last;
        return buffers.computeIfAbsent(
                x.rows,
                b -> new Buffers(
                        b,
                        Matrix.zeros(b, w.ne()),
                        Matrix.zeros(b, w.ni()),
                        Matrix.zeros(b, w.ni()),
                        Matrix.zeros(b, w.d())));
    }

    @Override
    public Matrix forward(Matrix x) {
        Buffers buf = buffersFor(x);
        Matrix h = buf.h(), zI = buf.zI(), b = w.b().value();
        blas.gemm(false, true, 1f, x, w.wex().value(), 0f, h); // zE = x Wex^T            B x ne
        blas.gemm(false, true, 1f, x, w.wix().value(), 0f, zI); // zI = x Wix^T            B x ni
        blas.gemm(false, true, -1f, zI, w.wei().value(), 1f, h); // zHat = zE - zI Wei^T    B x ne
        activation.addBiasAndApply(h, b, h, row, biasRow); // h = f(zHat + b), in place
        this.x = x;
        this.last = buf;
        return h;
    }

    /**
     * Writes the gradients of {@code Wex, Wix, Wei, b}; {@code dh} ({@code B x ne}) is
     * overwritten with {@code dL/dz}. Returns {@code dL/dx} ({@code B x d}, owned by the layer) or null.
     */
    @Override
    public Matrix backward(Matrix dh, boolean needInputGrad) {
        Buffers buf = last;
        Matrix h = buf.h(), db = w.b().grad();
        activation.backwardWithBiasGrad(h, dh, db, row, hRow, sum); // dz = dh ⊙ f'(z); db = sum_B dz
        Matrix dz = dh, wei = w.wei().value();
        blas.gemm(true, false, 1f, dz, x, 0f, w.wex().grad()); // dWex = dz^T x      ne x d
        blas.gemm(true, false, -1f, dz, buf.zI(), 0f, w.wei().grad()); // dWei = -dz^T zI    ne x ni
        blas.gemm(false, false, -1f, dz, wei, 0f, buf.dzI()); // dzI = -dz Wei      B x ni
        blas.gemm(true, false, 1f, buf.dzI(), x, 0f, w.wix().grad()); // dWix = dzI^T x     ni x d
        if (!needInputGrad) return null;
        blas.gemm(false, false, 1f, dz, w.wex().value(), 0f, buf.dx()); // dx = dz Wex + dzI Wix  B x d
        blas.gemm(false, false, 1f, buf.dzI(), w.wix().value(), 1f, buf.dx());
        return buf.dx();
    }
}
