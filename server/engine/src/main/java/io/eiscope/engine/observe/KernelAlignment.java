package io.eiscope.engine.observe;

import io.eiscope.engine.model.RecurrentCell;
import io.eiscope.engine.model.RecurrentNet;
import io.eiscope.engine.task.TaskShape;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;

/**
 * The kernels of the laziness metrics of Liu et al. 2024 (ICLR) §5.5 and their alignment:
 * <ul>
 *   <li>the empirical tangent kernel of a recurrent network's output scalars with respect to one
 *       cell's effective recurrent matrix {@code W}, {@code K[a, a'] = <dF_a/dW, dF_a'/dW>_F};</li>
 *   <li>the representation kernel {@code KR = H H^T} of hidden states {@code H} (trials x units);</li>
 *   <li>the alignment of two kernels, {@code <K1, K2>_F / (||K1||_F ||K2||_F)}.</li>
 * </ul>
 *
 * <p>How the tangent kernel is computed (reference code {@code main.py} loops over outputs with one
 * autograd call each): the gradient of output {@code a} of trial {@code b} is
 * {@code G_a = alpha sum_{s>=1} delta_s^a h_{s-1}^b^T}, with {@code delta_s^a} the gradient of
 * {@code F_a} with respect to the cell's pre-activation at step {@code s}. One forward pass of the
 * probe and one backward pass per output column {@code j} (seeded with {@code e_j} in every row,
 * so each row {@code b} carries the deltas of output {@code (b, j)}: trials do not interact) give
 * every delta. Then {@code K = G G^T} is accumulated over row blocks of {@code W}: a block of
 * {@code r} rows of every {@code G_a} is one small product {@code alpha Delta_a^T[rows] Hprev_b}
 * ({@code r x T} times {@code T x n}), and the block's contribution one {@code A x rn} times
 * {@code rn x A} product, so G (A n^2 floats) is never held whole: at most
 * {@link #BLOCK_FLOATS} of it. Cost: {@code 2 A^2 n^2} flops for {@code K} (A output scalars, n
 * units), plus one BPTT of the probe per output column.
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
    /** Floats of G held per row block (32 MiB). */
    static final int BLOCK_FLOATS = 1 << 23;

    /**
     * Trials of a probe of {@code available} examples that the tangent kernel of a network of this
     * shape and a cell of {@code units} uses: at most {@link #MAX_TRIALS}, fewer when
     * {@link #MAX_OUTPUT_SCALARS} or {@link #MAX_DELTA_FLOATS} would be exceeded; at least 1.
     */
    public static int trials(TaskShape shape, int units, int available) {
        long perTrial = shape.outputWidth();
        long byScalars = MAX_OUTPUT_SCALARS / perTrial, byDeltas = MAX_DELTA_FLOATS / (perTrial * shape.steps() * units);
        return (int) Math.max(1, Math.min(Math.min(MAX_TRIALS, available), Math.min(byScalars, byDeltas)));
    }

    /**
     * The tangent kernel of {@code net}'s outputs on {@code x} with respect to the effective
     * recurrent matrix of cell {@code cell}: {@code A x A} with {@code A = x.rows * outputWidth},
     * output scalar {@code a = b * outputWidth + j} being column {@code j} of the output row of
     * trial {@code b} (for every-step readouts {@code j = step * outputs + unit}). Runs one forward
     * and {@code outputWidth} backward passes of {@code net}, which it leaves with their buffers
     * (parameter values are not modified, gradients are).
     *
     * @param x probe inputs, {@code B x inputSize} (not modified)
     */
    public static Matrix tangentKernel(RecurrentNet net, int cell, Matrix x, Blas blas) {
        return tangentKernel(net, cell, x, blas, BLOCK_FLOATS);
    }

    /** {@link #tangentKernel(RecurrentNet, int, Matrix, Blas)} holding at most {@code blockFloats} of G at a time. */
    static Matrix tangentKernel(RecurrentNet net, int cell, Matrix x, Blas blas, int blockFloats) {
        RecurrentCell c = net.cells().get(cell);
        int b = x.rows, m = net.shape().outputWidth(), t = net.shape().steps(), n = c.units(), a = b * m;
        net.forward(x);
        Matrix hPrev = previousStates(c.hidden(), b, t);
        Matrix deltaT = deltas(net, c, b, m, t);
        float alpha = (float) c.alpha();
        Matrix k = Matrix.zeros(a, a);
        int r = (int) Math.max(1, Math.min(n, blockFloats / ((long) a * n)));
        Matrix full = Matrix.zeros(a, r * n), tail = null;
        Matrix[] hViews = new Matrix[b];
        for (int i = 0; i < b; i++) hViews[i] = hPrev.rowsView(i * t, t);
        for (int i0 = 0; i0 < n; i0 += r) {
            int rows = Math.min(r, n - i0);
            Matrix g = rows == r ? full : (tail = tail != null ? tail : Matrix.zeros(a, rows * n));
            for (int out = 0; out < a; out++) { // G_a[i0 .. i0 + rows) = alpha Delta_a^T[i0 .. i0 + rows) Hprev_b
                blas.gemm(false, false, alpha, deltaT.rowsView(out * n + i0, rows), hViews[out / m], 0f,
                        g.rowsView(out, 1).reshapeView(rows, n));
            }
            blas.gemm(false, true, 1f, g, g, 1f, k); // K += G_block G_block^T
        }
        return k;
    }

    /** {@code (B*T) x n}: row {@code b*T + s} is {@code h_{s-1}} of trial {@code b}, row {@code b*T} zero ({@code h_{-1} = 0}). */
    private static Matrix previousStates(Matrix h, int b, int t) {
        int n = h.cols;
        Matrix out = Matrix.zeros(b * t, n);
        for (int i = 0; i < b; i++) {
            for (int s = 1; s < t; s++) {
                int from = ((s - 1) * b + i) * n, to = (i * t + s) * n;
                for (int u = 0; u < n; u++) out.set(to + u, h.get(from + u));
            }
        }
        return out;
    }

    /**
     * {@code (A*n) x T}: rows {@code a*n .. a*n + n - 1} hold {@code Delta_a^T}, column {@code s}
     * being {@code delta_s^a}, from one backward pass per output column.
     */
    private static Matrix deltas(RecurrentNet net, RecurrentCell c, int b, int m, int t) {
        int n = c.units();
        Matrix out = Matrix.zeros(b * m * n, t), seed = Matrix.zeros(b, m);
        for (int j = 0; j < m; j++) {
            seed.fill(0f); // backward may overwrite it
            for (int i = 0; i < b; i++) seed.set(i, j, 1f);
            net.backward(seed);
            Matrix dz = c.preActivationGrad();
            for (int s = 0; s < t; s++) {
                for (int i = 0; i < b; i++) {
                    int from = (s * b + i) * n, to = (i * m + j) * n * t + s;
                    for (int u = 0; u < n; u++) out.set(to + u * t, dz.get(from + u));
                }
            }
        }
        return out;
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
