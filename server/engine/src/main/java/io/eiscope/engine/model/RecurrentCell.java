package io.eiscope.engine.model;

import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Elementwise;
import io.eiscope.engine.tensor.Matrix;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One layer of recurrent units (ReLU, or tanh) run over whole sequences, with backpropagation through time.
 *
 * <p>With the effective input matrix {@code U} ({@code n x nIn}) and recurrent matrix {@code W}
 * ({@code n x n}) of its {@link Connectivity}s, the bias {@code b} (optional) and the leak
 * {@code alpha = dt / tau} in (0, 1]:
 * <pre>  z_t = (1 - alpha) h_{t-1} + alpha (U x_t + W h_{t-1} + b),   h_t = f(z_t),   h_{-1} = 0</pre>
 * with {@code f} ReLU (the papers' cells) or tanh ({@code nn.RNN}'s default, Pogodin et al. 2024 §4.4).
 * With {@code alpha = 1} this is the discrete cell {@code h_t = ReLU(U x_t + W h_{t-1} + b)} of
 * Li et al. 2023 (standard, column-E/I and DANN cells differ only in how {@code U} and {@code W}
 * are made); with {@code alpha < 1} and no bias it is the CTRNN of Liu et al. 2024.
 *
 * <p>Sequences are time-major: {@code T*B x units} matrices whose rows {@code t*B .. t*B + B - 1}
 * hold step {@code t} of the {@code B} examples. The input projections of all steps are one
 * matrix product, the recurrence one {@code B x n} product per step (by a copy of {@code W^T} made once per
 * pass where the library runs that form faster: {@link Blas#untransposedFaster}), and the weight gradients
 * one product each over all steps. Buffers are kept per (steps, batch), so steady-state steps
 * allocate nothing. The element-wise passes (bias, ReLU, its mask, the bias gradient) copy
 * blocks of the off-heap matrices into {@code float[]} scratch, where the JIT vectorises, and
 * back; each keeps the arithmetic and summation order of a plain element loop. Confined to the
 * simulation's thread.
 */
public final class RecurrentCell {
    private final String name;
    private final Connectivity input;
    private final Connectivity recurrent;
    private final Parameter bias; // null: no bias
    private final float alpha;
    private final Activation f; // RELU or TANH
    private final Blas blas;
    private final Map<Long, Buffers> buffers = new HashMap<>();
    private Buffers last;
    private Matrix x;
    private final float[] row; // n: one row of a time-major buffer
    private final float[] vec; // n: alpha b in forward, the bias-gradient sums in backward
    private Matrix wT; // n x n: W transposed for the recurrence, made when the library runs that form faster
    private float[] transposeScratch; // n^2 + n

    /** Per (steps, batch): hidden states, their gradients and the input gradient, with per-step views. */
    private static final class Buffers {
        final int steps;
        final int batch;
        final Matrix h;
        final Matrix dh;
        final Matrix dx;
        final Matrix[] hStep;
        final Matrix[] dhStep;
        final Matrix hHead; // steps 0 .. T-2 (inputs of the recurrence)
        final Matrix dhTail; // steps 1 .. T-1
        final float[] block; // batch x n: one step of h or dh
        final float[] hBlock;

        Buffers(int steps, int batch, int n, int nIn) {
            this.steps = steps;
            this.batch = batch;
            h = Matrix.zeros(steps * batch, n);
            dh = Matrix.zeros(steps * batch, n);
            dx = Matrix.zeros(steps * batch, nIn);
            block = new float[batch * n];
            hBlock = new float[batch * n];
            hStep = new Matrix[steps];
            dhStep = new Matrix[steps];
            for (int t = 0; t < steps; t++) {
                hStep[t] = h.rowsView(t * batch, batch);
                dhStep[t] = dh.rowsView(t * batch, batch);
            }
            hHead = steps > 1 ? h.rowsView(0, (steps - 1) * batch) : null;
            dhTail = steps > 1 ? dh.rowsView(batch, (steps - 1) * batch) : null;
        }
    }

    /**
     * @param input     the input connectivity, {@code n x nIn}
     * @param recurrent the recurrent connectivity, {@code n x n}
     * @param bias      a {@code 1 x n} bias parameter, or null for none
     * @param alpha     the leak {@code dt / tau} in (0, 1]; 1 for the discrete cell
     */
    public RecurrentCell(
            String name, Connectivity input, Connectivity recurrent, Parameter bias, double alpha, Blas blas) {
        this(name, input, recurrent, bias, alpha, Activation.RELU, blas);
    }

    /**
     * A cell with the non-linearity {@code f}: {@link Activation#RELU} or {@link Activation#TANH}.
     *
     * @param input     the input connectivity, {@code n x nIn}
     * @param recurrent the recurrent connectivity, {@code n x n}
     * @param bias      a {@code 1 x n} bias parameter, or null for none
     * @param alpha     the leak {@code dt / tau} in (0, 1]; 1 for the discrete cell
     */
    public RecurrentCell(
            String name,
            Connectivity input,
            Connectivity recurrent,
            Parameter bias,
            double alpha,
            Activation f,
            Blas blas) {
        if (f != Activation.RELU && f != Activation.TANH)
            throw new IllegalArgumentException(name + ": a cell's non-linearity is relu or tanh, got " + f);
        int n = recurrent.rows();
        if (recurrent.cols() != n)
            throw new IllegalArgumentException(
                    name + ": the recurrent matrix must be square, got " + n + "x" + recurrent.cols());
        if (input.rows() != n)
            throw new IllegalArgumentException(
                    name + ": the input matrix has " + input.rows() + " rows for " + n + " units");
        if (bias != null && (bias.value().rows != 1 || bias.value().cols != n))
            throw new IllegalArgumentException(name + ": the bias must be 1x" + n);
        if (!(alpha > 0 && alpha <= 1))
            throw new IllegalArgumentException(name + ": alpha = dt/tau must be in (0, 1], got " + alpha);
        this.name = name;
        this.input = input;
        this.recurrent = recurrent;
        this.bias = bias;
        this.alpha = (float) alpha;
        this.f = f;
        this.blas = blas;
        this.row = new float[n];
        this.vec = new float[n];
    }

    public String name() {
        return name;
    }

    public int inputSize() {
        return input.cols();
    }

    /** Recurrent units {@code n}. */
    public int units() {
        return recurrent.rows();
    }

    public Connectivity input() {
        return input;
    }

    public Connectivity recurrent() {
        return recurrent;
    }

    /** The bias, or null when the cell has none. */
    public Parameter bias() {
        return bias;
    }

    public double alpha() {
        return alpha;
    }

    /** The non-linearity f: {@link Activation#RELU} or {@link Activation#TANH}. */
    public Activation nonlinearity() {
        return f;
    }

    /** Input parameters, recurrent parameters, then the bias. */
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>(input.parameters());
        out.addAll(recurrent.parameters());
        if (bias != null) out.add(bias);
        return List.copyOf(out);
    }

    /** The effective recurrent matrix {@code W} from the current parameters, as a new matrix. */
    public Matrix effectiveRecurrent() {
        recurrent.refresh(blas);
        return recurrent.effective().copy();
    }

    /** The effective input matrix {@code U} from the current parameters, as a new matrix. */
    public Matrix effectiveInput() {
        input.refresh(blas);
        return input.effective().copy();
    }

    /** Hidden states of the latest forward call ({@code T*B x n}, time-major), owned by the cell; null before any. */
    public Matrix hidden() {
        return last == null ? null : last.h;
    }

    /**
     * The gradient with respect to the pre-activations {@code z_t} of the latest {@link #backward}
     * call ({@code T*B x n}, time-major), owned by the cell, valid until the next forward or backward
     * call; null before any. Row {@code t*B + b} is {@code delta_t} of example {@code b}: the
     * weight gradient is {@code dW = alpha sum_{t>=1} delta_t^T h_{t-1}} (the tangent kernels of
     * {@link io.eiscope.engine.observe.TangentKernel} are built from it).
     */
    public Matrix preActivationGrad() {
        return last == null ? null : last.dh;
    }

    private Buffers buffersFor(int steps, int batch) {
        if (last != null && last.steps == steps && last.batch == batch) return last;
        return buffers.computeIfAbsent(
                ((long) steps << 32) | batch, k -> new Buffers(steps, batch, units(), inputSize()));
    }

    /**
     * Runs the cell over a whole sequence from {@code h = 0}.
     *
     * @param x {@code T*B x nIn}, time-major; kept (unchanged) until {@link #backward}
     * @return the hidden states {@code T*B x n}, time-major, owned by the cell
     */
    public Matrix forward(Matrix x, int steps) {
        if (x.cols != inputSize())
            throw new IllegalArgumentException(name + " takes " + inputSize() + " inputs, got " + x.cols);
        if (steps < 1 || x.rows % steps != 0)
            throw new IllegalArgumentException(name + ": " + x.rows + " rows are not " + steps + " steps");
        int batch = x.rows / steps;
        Buffers buf = buffersFor(steps, batch);
        input.refresh(blas);
        recurrent.refresh(blas);
        Matrix h = buf.h, w = recurrent.effective();
        boolean byTranspose = steps > 2 && blas.untransposedFaster(batch, units(), units());
        if (byTranspose) w = transposed(w);
        if (bias != null && alpha == 1f) { // b + U x_t for every step at once, rounded once as below
            fillWithBias(h, buf.block);
            blas.gemm(false, true, 1f, x, input.effective(), 1f, h);
        } else {
            blas.gemm(false, true, alpha, x, input.effective(), 0f, h); // alpha U x_t for every step at once
            if (bias != null) addScaledBias(h);
        }
        for (int t = 0; t < steps; t++) {
            Matrix ht = buf.hStep[t];
            if (t > 0) {
                Matrix prev = buf.hStep[t - 1];
                blas.gemm(false, !byTranspose, alpha, prev, w, 1f, ht); // + alpha W h_{t-1}
                if (alpha != 1f) blas.axpy(1f - alpha, prev, ht); // + (1 - alpha) h_{t-1}
            }
            if (f == Activation.RELU) relu(ht, buf.block);
            else tanh(ht, buf.block);
        }
        this.x = x;
        this.last = buf;
        return h;
    }

    /**
     * Backpropagation through time from {@code dh} (the gradient of the loss with respect to every
     * hidden state of the latest forward call, from the readout or the next layer; {@code T*B x n};
     * not modified: it is copied into the cell's own buffer; may be the matrix this method returned
     * to the layer above's input).
     * Writes every parameter's gradient.
     *
     * @return the gradient with respect to the input ({@code T*B x nIn}, owned by the cell), or null
     */
    public Matrix backward(Matrix dh, boolean needInputGrad) {
        Buffers buf = last;
        if (dh.rows != buf.h.rows || dh.cols != units())
            throw new IllegalArgumentException(name + ": gradient shape mismatch");
        if (dh != buf.dh) buf.dh.copyFrom(dh);
        return throughTime(buf, false, needInputGrad);
    }

    /**
     * {@link #backward} when only the last step's hidden states have a gradient (a readout of the last step):
     * {@code dLast} ({@code B x n}, not modified) is that gradient, and the other steps' are zero, which are then
     * neither written nor read (a 100-unit cell at batch 32 skips a 358 KB copy, and adds nothing to 27 products).
     *
     * @return the gradient with respect to the input ({@code T*B x nIn}, owned by the cell), or null
     */
    public Matrix backwardFromLast(Matrix dLast, boolean needInputGrad) {
        Buffers buf = last;
        if (dLast.rows != buf.batch || dLast.cols != units())
            throw new IllegalArgumentException(name + ": last-step gradient shape mismatch");
        buf.dhStep[buf.steps - 1].copyFrom(dLast);
        return throughTime(buf, true, needInputGrad);
    }

    /**
     * Backpropagation through time from the gradients in {@code buf.dh}, or, {@code lastOnly}, from its last step's
     * with the others zero (then each product writes its step's gradient instead of adding to it).
     */
    private Matrix throughTime(Buffers buf, boolean lastOnly, boolean needInputGrad) {
        Matrix w = recurrent.effective();
        float beta = lastOnly ? 0f : 1f;
        for (int t = buf.steps - 1; t >= 0; t--) {
            Matrix ht = buf.hStep[t], dzt = buf.dhStep[t];
            // dz_t = dh_t ⊙ f'(z_t), read from h_t: ReLU's 0 or 1, or tanh's 1 - h_t^2
            f.mask(ht, dzt, 0, dzt.size(), buf.block, buf.hBlock);
            if (t > 0) {
                Matrix dprev = buf.dhStep[t - 1];
                blas.gemm(false, false, alpha, dzt, w, beta, dprev); // dh_{t-1} (+)= alpha dz_t W
                if (alpha != 1f) blas.axpy(1f - alpha, dzt, dprev); //         + (1 - alpha) dz_t
            }
        }
        Matrix dz = buf.dh;
        if (buf.steps > 1)
            blas.gemm(
                    true,
                    false,
                    alpha,
                    buf.dhTail,
                    buf.hHead,
                    0f,
                    recurrent.effectiveGrad()); // dW = alpha sum_t dz_t^T h_{t-1}
        else recurrent.effectiveGrad().fill(0f);
        blas.gemm(true, false, alpha, dz, x, 0f, input.effectiveGrad()); // dU = alpha sum_t dz_t^T x_t
        if (bias != null) {
            sumRows(dz, bias.grad());
            if (alpha != 1f) blas.scal(alpha, bias.grad());
        }
        input.backward(blas);
        recurrent.backward(blas);
        if (!needInputGrad) return null;
        blas.gemm(false, false, alpha, dz, input.effective(), 0f, buf.dx); // dx_t = alpha dz_t U
        return buf.dx;
    }

    /**
     * {@code W^T} in the cell's own matrix, for a recurrence whose products the library runs faster with
     * {@code W^T} as it lies (small ones: {@link Blas#untransposedFaster}); made once per forward pass, since the
     * update changes W between passes. A 100-unit cell's transpose takes about 9 µs, its 27 products 0.1 ms less.
     */
    private Matrix transposed(Matrix w) {
        int n = units();
        if (wT == null) {
            wT = Matrix.zeros(n, n);
            transposeScratch = new float[n * n + n];
        }
        blas.transpose(w, wT, transposeScratch);
        return wT;
    }

    /**
     * {@code h[r][k] = b[k]} for every row, a block of {@code scratch}'s rows at a time: the product {@code U x_t}
     * is then added to it ({@code beta = 1}) as OpenBLAS adds it to zeros, {@code fl(acc + b)}, the bits of
     * {@link #addScaledBias} after it at {@code alpha = 1} (checked on the 896 x 100 x 28 product: none differ), without
     * that pass's copies row by row (about 25 µs of a 100-unit cell's step).
     */
    private void fillWithBias(Matrix h, float[] scratch) {
        int n = units(), rows = scratch.length / n;
        bias.value().data().get(0, scratch, 0, n);
        for (int r = 1; r < rows; r++) System.arraycopy(scratch, 0, scratch, r * n, n);
        FloatBuffer H = h.data();
        for (int r0 = 0; r0 < h.rows; r0 += rows) H.put(r0 * n, scratch, 0, Math.min(rows, h.rows - r0) * n);
    }

    /** {@code h[r][k] += alpha b[k]} for every row. */
    private void addScaledBias(Matrix h) {
        int n = units();
        FloatBuffer H = h.data();
        bias.value().data().get(0, vec, 0, n);
        for (int k = 0; k < n; k++) vec[k] = alpha * vec[k];
        for (int r = 0, off = 0; r < h.rows; r++, off += n) {
            H.get(off, row, 0, n);
            for (int k = 0; k < n; k++) row[k] += vec[k];
            H.put(off, row, 0, n);
        }
    }

    /**
     * {@code h = max(h, 0)} in place ({@link Math#max}: NaN stays NaN, -0 becomes +0, as in
     * {@link Activation#RELU}); {@code scratch} holds h's size. Branch-free: about half the
     * units are negative in no predictable pattern, and a branch per element made the ReLU and
     * its mask about 10 % of a 500-unit training step.
     */
    private static void relu(Matrix h, float[] scratch) {
        int m = h.size();
        h.data().get(0, scratch, 0, m);
        Elementwise.clampNonNegative(scratch, m);
        h.data().put(0, scratch, 0, m);
    }

    /** {@code h = tanh(h)} in place, in double and rounded to float (as {@link Activation#TANH}). */
    private static void tanh(Matrix h, float[] scratch) {
        int m = h.size();
        h.data().get(0, scratch, 0, m);
        for (int i = 0; i < m; i++) scratch[i] = (float) Math.tanh(scratch[i]);
        h.data().put(0, scratch, 0, m);
    }

    /** {@code db[k] = sum_r dz[r][k]}, summed from row 0 down. */
    private void sumRows(Matrix dz, Matrix db) {
        int n = units();
        FloatBuffer D = dz.data();
        java.util.Arrays.fill(vec, 0f);
        for (int r = 0, off = 0; r < dz.rows; r++, off += n) {
            D.get(off, row, 0, n);
            for (int k = 0; k < n; k++) vec[k] += row[k];
        }
        db.data().put(0, vec, 0, n);
    }
}
