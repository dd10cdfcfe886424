package io.eiscope.engine.observe;

import io.eiscope.engine.model.RecurrentCell;
import io.eiscope.engine.model.RecurrentNet;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernels of the laziness metrics of Liu et al. 2024 (ICLR) §5.5 and their alignment:
 * <ul>
 *   <li>the empirical tangent kernel of a recurrent network's output scalars with respect to one
 *       cell's effective recurrent matrix {@code W}, {@code K[a, a'] = <dF_a/dW, dF_a'/dW>_F};</li>
 *   <li>the representation kernel {@code KR = H H^T} of hidden states {@code H} (trials x units);</li>
 *   <li>the alignment of two kernels, {@code <K1, K2>_F / (||K1||_F ||K2||_F)}.</li>
 * </ul>
 *
 * <p>How the tangent kernel is computed (the reference code {@code main.py} takes one autograd
 * gradient per output scalar): the gradient of output {@code a} of trial {@code b} is
 * {@code G_a = alpha sum_{s>=1} delta_s^a h_{s-1}^b^T}, with {@code delta_s^a} the gradient of
 * {@code F_a} with respect to the cell's pre-activation at step {@code s}. One forward pass of the
 * probe and one backward pass per output column {@code j} (seeded with {@code e_j} in every row,
 * so row {@code b} carries the deltas of output {@code (b, j)}: trials do not interact) give every
 * delta (only those of steps {@code 1 .. t(a)} can be non-zero for an output of step {@code t(a)},
 * and only those are kept). {@code K} is then contracted without holding all of G ({@code A n^2} floats): over column
 * blocks of {@code W} ({@code 2 A^2 n^2} flops) or over step pairs ({@code A^2 T^2 n} flops), with at
 * most {@link #BLOCK_FLOATS} of intermediate products at a time (A output scalars, T steps, n units).
 *
 * <p>Not thread-safe for a given network (it runs the network); the network is left with the
 * activations and gradients of the last backward pass.
 */
public final class KernelAlignment {
    private KernelAlignment() {}

    /** Trials of the probe the tangent kernel uses at most (Liu et al.: the first 32 trials of a batch). */
    public static final int MAX_TRIALS = 32;
    /** Output scalars (kernel rows) at most: fewer trials are used beyond it (K is {@code A^2} floats, 16 MiB here). */
    public static final int MAX_OUTPUT_SCALARS = 2048;
    /** Deltas held at most ({@code A * T * n} floats, 128 MiB): fewer trials are used beyond it. */
    public static final long MAX_DELTA_FLOATS = 1L << 25;
    /** Floats of intermediate products held at a time: a column block of G or a tile of the step Gram (32 MiB). */
    static final int BLOCK_FLOATS = 1 << 23;

    /**
     * Trials of a probe of {@code available} examples that the tangent kernel of a network of this
     * shape and a cell of {@code units} uses: at most {@link #MAX_TRIALS}, fewer when
     * {@link #MAX_OUTPUT_SCALARS} or {@link #MAX_DELTA_FLOATS} would be exceeded; at least 1.
     */
    public static int trials(TaskShape shape, int units, int available) {
        long perTrial = shape.outputWidth();
        long byScalars = MAX_OUTPUT_SCALARS / perTrial,
                byDeltas = MAX_DELTA_FLOATS / (perTrial * shape.steps() * units);
        return (int) Math.max(1, Math.min(Math.min(MAX_TRIALS, available), Math.min(byScalars, byDeltas)));
    }

    /**
     * The tangent kernel of {@code net}'s outputs on {@code x} with respect to the effective
     * recurrent matrix of cell {@code cell}: {@code A x A} with {@code A = x.rows * outputWidth},
     * output scalar {@code a = b * outputWidth + j} being column {@code j} of the output row of
     * trial {@code b} (for every-step readouts {@code j = step * outputs + unit}). Runs one forward
     * and {@code outputWidth} backward passes of {@code net}, which it leaves with their buffers
     * (parameter values are not modified, gradients are). Takes the cheaper of the two
     * contractions (same kernel): over step pairs when {@code T^2 <= 2n}, else over column blocks
     * of {@code W}.
     *
     * @param x probe inputs, {@code B x inputSize} (not modified)
     */
    public static Matrix tangentKernel(RecurrentNet net, int cell, Matrix x, Blas blas) {
        int t = net.shape().steps(), n = net.cells().get(cell).units();
        return tangentKernel(net, cell, x, blas, t * t <= 2 * n, BLOCK_FLOATS);
    }

    /** The tangent kernel by the chosen contraction, holding at most {@code blockFloats} of intermediate products. */
    static Matrix tangentKernel(RecurrentNet net, int cell, Matrix x, Blas blas, boolean byStepPairs, int blockFloats) {
        RecurrentCell c = net.cells().get(cell);
        net.forward(x);
        Matrix hPrev = previousStates(c.hidden(), x.rows, net.shape().steps());
        Deltas d = deltas(net, c, x.rows);
        float alpha = (float) c.alpha();
        return byStepPairs
                ? byStepPairs(d, hPrev, alpha, blas, blockFloats)
                : byColumnBlocks(d, hPrev, alpha, blas, blockFloats);
    }

    /**
     * The deltas that can be non-zero, {@code delta_s^a} for {@code s = 1 .. t(a)} ({@code t(a)} the
     * step of output {@code a}: later steps do not influence it, and step 0 meets {@code h_{-1} = 0}):
     * rows {@code offset[a] .. offset[a+1] - 1} of {@code rows} ({@code n} columns), in step order.
     *
     * @param trial  the probe trial of each output
     * @param prefix rows of {@code Hprev} of trial {@code b} start at {@code b * prefix}
     */
    private record Deltas(Matrix rows, int[] offset, int[] trial, int prefix) {
        int outputs() {
            return trial.length;
        }

        int length(int a) {
            return offset[a + 1] - offset[a];
        }
    }

    /** {@code (B*(T-1)) x n}: row {@code b*(T-1) + s - 1} is {@code h_{s-1}} of trial {@code b}, for {@code s = 1 .. T-1}. */
    private static Matrix previousStates(Matrix h, int b, int t) {
        int n = h.cols;
        Matrix out = Matrix.zeros(Math.max(1, b * (t - 1)), n);
        for (int i = 0; i < b; i++) {
            for (int s = 1; s < t; s++) out.rowsView(i * (t - 1) + s - 1, 1).copyFrom(h.rowsView((s - 1) * b + i, 1));
        }
        return out;
    }

    /**
     * The deltas of every output {@code a = b*m + j} from one backward pass per output column {@code j}
     * (row {@code b} of the seed is {@code e_j}).
     */
    private static Deltas deltas(RecurrentNet net, RecurrentCell c, int b) {
        TaskShape shape = net.shape();
        int m = shape.outputWidth(), t = shape.steps(), a = b * m;
        int[] offset = new int[a + 1], trial = new int[a];
        for (int out = 0; out < a; out++) {
            int j = out % m;
            offset[out + 1] = offset[out] + (shape.everyStep() ? j / shape.outputs() : t - 1);
            trial[out] = out / m;
        }
        Matrix rows = Matrix.zeros(Math.max(1, offset[a]), c.units()), seed = Matrix.zeros(b, m);
        for (int j = 0; j < m; j++) {
            seed.fill(0f); // backward may overwrite it
            for (int i = 0; i < b; i++) seed.set(i, j, 1f);
            net.backward(seed);
            Matrix dz = c.preActivationGrad();
            for (int i = 0; i < b; i++) {
                int out = i * m + j;
                for (int s = 1; s <= offset[out + 1] - offset[out]; s++)
                    rows.rowsView(offset[out] + s - 1, 1).copyFrom(dz.rowsView(s * b + i, 1));
            }
        }
        return new Deltas(rows, offset, trial, t - 1);
    }

    /**
     * {@code K = G G^T} over column blocks {@code J} of {@code W}: {@code G_a[:, J] = alpha Delta_a^T Hprev_b[:, J]}
     * ({@code n x t(a)} times {@code t(a) x |J|}), then {@code K += G_J G_J^T}. {@code 2 A^2 n^2} flops.
     */
    private static Matrix byColumnBlocks(Deltas d, Matrix hPrev, float alpha, Blas blas, int blockFloats) {
        int n = hPrev.cols, a = d.outputs();
        Matrix k = Matrix.zeros(a, a);
        int width = (int) Math.max(1, Math.min(n, blockFloats / ((long) a * n)));
        Matrix full = Matrix.zeros(a, n * width);
        for (int j0 = 0; j0 < n; j0 += width) {
            int cols = Math.min(width, n - j0);
            Matrix hj = Matrix.zeros(hPrev.rows, cols); // columns J of Hprev
            for (int r = 0; r < hj.rows; r++) {
                for (int j = 0; j < cols; j++) hj.set(r, j, hPrev.get(r, j0 + j));
            }
            Matrix g = cols == width ? full : Matrix.zeros(a, n * cols);
            for (int out = 0; out < a; out++) {
                Matrix gOut = g.rowsView(out, 1).reshapeView(n, cols);
                int len = d.length(out);
                if (len == 0) gOut.fill(0f);
                else
                    blas.gemm(
                            true,
                            false,
                            alpha,
                            d.rows().rowsView(d.offset()[out], len),
                            hj.rowsView(d.trial()[out] * d.prefix(), len),
                            0f,
                            gOut);
            }
            blas.gemm(false, true, 1f, g, g, 1f, k);
        }
        return k;
    }

    /**
     * {@code K[a, a'] = alpha^2 sum_{s, s'} (delta_s^a . delta_s'^a') (hprev_s^b . hprev_s'^b')}: the step
     * Gram {@code P = Delta Delta^T} in tiles of outputs (upper triangle only), contracted with
     * {@code Q = Hprev Hprev^T}. About {@code A^2 T^2 n} flops and {@code A^2 T^2 / 2} multiply-adds in
     * Java (a quarter of that for every-step readouts, whose early outputs have few deltas).
     */
    private static Matrix byStepPairs(Deltas d, Matrix hPrev, float alpha, Blas blas, int blockFloats) {
        int a = d.outputs(), bt = hPrev.rows;
        int[] off = d.offset(), trial = d.trial();
        Matrix qm = Matrix.zeros(bt, bt);
        blas.gemm(false, true, 1f, hPrev, hPrev, 0f, qm);
        float[] q = qm.toArray();
        // Tiles: consecutive outputs holding at most `limit` delta rows (at least one output each).
        int limit = (int) Math.max(1, Math.sqrt(blockFloats));
        List<Integer> starts = new ArrayList<>();
        for (int out = 0; out < a; out++) {
            if (starts.isEmpty() || off[out + 1] - off[starts.get(starts.size() - 1)] > limit) starts.add(out);
        }
        starts.add(a);
        int widest = 0;
        for (int i = 0; i + 1 < starts.size(); i++)
            widest = Math.max(widest, off[starts.get(i + 1)] - off[starts.get(i)]);
        Matrix scratch = Matrix.zeros(Math.max(1, widest * widest), 1);
        float[] p = new float[widest * widest];
        double scale = (double) alpha * alpha;
        Matrix k = Matrix.zeros(a, a);
        for (int ti = 0; ti + 1 < starts.size(); ti++) {
            int i0 = starts.get(ti), i1 = starts.get(ti + 1), ri = off[i1] - off[i0];
            for (int tj = ti; tj + 1 < starts.size(); tj++) {
                int j0 = starts.get(tj), j1 = starts.get(tj + 1), rj = off[j1] - off[j0];
                if (ri > 0 && rj > 0) {
                    Matrix pm = scratch.rowsView(0, ri * rj).reshapeView(ri, rj);
                    blas.gemm(
                            false,
                            true,
                            1f,
                            d.rows().rowsView(off[i0], ri),
                            d.rows().rowsView(off[j0], rj),
                            0f,
                            pm);
                    pm.data().get(0, p, 0, ri * rj);
                }
                for (int i = i0; i < i1; i++) {
                    int li = off[i + 1] - off[i], qi = trial[i] * d.prefix();
                    for (int j = Math.max(i, j0); j < j1; j++) {
                        int lj = off[j + 1] - off[j], qj = trial[j] * d.prefix();
                        double sum = 0;
                        for (int s = 0; s < li; s++) {
                            int prow = (off[i] - off[i0] + s) * rj + off[j] - off[j0], qrow = (qi + s) * bt + qj;
                            for (int s2 = 0; s2 < lj; s2++) sum += (double) p[prow + s2] * q[qrow + s2];
                        }
                        float v = (float) (scale * sum);
                        k.set(i, j, v);
                        k.set(j, i, v);
                    }
                }
            }
        }
        return k;
    }

    /** {@code KR = H H^T} of hidden states {@code h} ({@code trials x units}, not modified). */
    public static Matrix representationKernel(Matrix h, Blas blas) {
        Matrix k = Matrix.zeros(h.rows, h.rows);
        blas.gemm(false, true, 1f, h, h, 0f, k);
        return k;
    }

    /**
     * {@code <K1, K2>_F / (||K1||_F ||K2||_F)} in double precision: in [-1, 1] (in [0, 1] for two
     * positive semi-definite kernels), 1 for proportional kernels; NaN when either is zero.
     */
    public static double alignment(Matrix k1, Matrix k2) {
        if (k1.rows != k2.rows || k1.cols != k2.cols)
            throw new IllegalArgumentException("kernels must have the same shape, got " + k1 + " and " + k2);
        double dot = 0, n1 = 0, n2 = 0;
        for (int i = 0, size = k1.size(); i < size; i++) {
            double x = k1.get(i), y = k2.get(i);
            dot += x * y;
            n1 += x * x;
            n2 += y * y;
        }
        return n1 > 0 && n2 > 0 ? Math.max(-1, Math.min(1, dot / Math.sqrt(n1 * n2))) : Double.NaN;
    }
}
