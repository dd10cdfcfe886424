package io.eiscope.engine.bench;

import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.Locale;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A probe for issue 13's batch-32 goals: how fast a batch of 32 rows can be multiplied by a weight matrix on this
 * core without OpenBLAS, which runs these products at 65-70 % of its own 1024^3 peak (GemmShareBench) and packs the
 * whole weight matrix on every call. Two Vector API kernels that never pack the weights (an 8 x 32 block of
 * accumulators in registers): the forward product {@code X W^T} with W's elements broadcast and the batch in the
 * lanes ({@code X} transposed into a K x 32 scratch, the result transposed back, both timed), and the backward
 * product {@code D W} with W's rows in the lanes as they lie. Each is timed against OpenBLAS's {@code sgemm} on the
 * same shapes, and the largest difference of their results printed (the sums are rounded in another order).
 *
 * <p>Not a test, and not used by the engine. Usage: {@code java --add-modules jdk.incubator.vector -cp ...
 * io.eiscope.engine.bench.RowProductsBench}, with {@code OPENBLAS_NUM_THREADS=1}; 512-bit lanes (AVX-512).
 */
public final class RowProductsBench {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int NR = 32, MR = 8;

    private RowProductsBench() {}

    // Both kernels spell out their 16 accumulators as locals, and so repeat each other's shape: C2 keeps vectors
    // in registers only as locals; an array of them, or a helper taking them, boxes every vector (5-6 GFLOP/s, tried).

    /** C (m x n, ld n) = X (m x k) W^T without packing W: W's elements broadcast, the batch in the lanes (m = 32). */
    static void forwardBroadcast(float[] x, int m, int k, float[] w, int n, float[] xt, float[] ct, float[] c) {
        if (m != 32) throw new IllegalArgumentException("the forward kernel puts 32 rows in its lanes, not " + m);
        for (int i = 0; i < m; i++) for (int kk = 0; kk < k; kk++) xt[kk * 32 + i] = x[i * k + kk];
        int j0 = 0;
        for (; j0 + 8 <= n; j0 += 8) {
            FloatVector c00 = FloatVector.zero(S),
                    c01 = c00,
                    c10 = c00,
                    c11 = c00,
                    c20 = c00,
                    c21 = c00,
                    c30 = c00,
                    c31 = c00,
                    c40 = c00,
                    c41 = c00,
                    c50 = c00,
                    c51 = c00,
                    c60 = c00,
                    c61 = c00,
                    c70 = c00,
                    c71 = c00;
            int r = j0 * k;
            for (int kk = 0; kk < k; kk++) {
                FloatVector b0 = FloatVector.fromArray(S, xt, kk * 32), b1 = FloatVector.fromArray(S, xt, kk * 32 + 16);
                FloatVector a;
                a = FloatVector.broadcast(S, w[r + kk]);
                c00 = a.fma(b0, c00);
                c01 = a.fma(b1, c01);
                a = FloatVector.broadcast(S, w[r + k + kk]);
                c10 = a.fma(b0, c10);
                c11 = a.fma(b1, c11);
                a = FloatVector.broadcast(S, w[r + 2 * k + kk]);
                c20 = a.fma(b0, c20);
                c21 = a.fma(b1, c21);
                a = FloatVector.broadcast(S, w[r + 3 * k + kk]);
                c30 = a.fma(b0, c30);
                c31 = a.fma(b1, c31);
                a = FloatVector.broadcast(S, w[r + 4 * k + kk]);
                c40 = a.fma(b0, c40);
                c41 = a.fma(b1, c41);
                a = FloatVector.broadcast(S, w[r + 5 * k + kk]);
                c50 = a.fma(b0, c50);
                c51 = a.fma(b1, c51);
                a = FloatVector.broadcast(S, w[r + 6 * k + kk]);
                c60 = a.fma(b0, c60);
                c61 = a.fma(b1, c61);
                a = FloatVector.broadcast(S, w[r + 7 * k + kk]);
                c70 = a.fma(b0, c70);
                c71 = a.fma(b1, c71);
            }
            int o = j0 * 32;
            c00.intoArray(ct, o);
            c01.intoArray(ct, o + 16);
            o += 32;
            c10.intoArray(ct, o);
            c11.intoArray(ct, o + 16);
            o += 32;
            c20.intoArray(ct, o);
            c21.intoArray(ct, o + 16);
            o += 32;
            c30.intoArray(ct, o);
            c31.intoArray(ct, o + 16);
            o += 32;
            c40.intoArray(ct, o);
            c41.intoArray(ct, o + 16);
            o += 32;
            c50.intoArray(ct, o);
            c51.intoArray(ct, o + 16);
            o += 32;
            c60.intoArray(ct, o);
            c61.intoArray(ct, o + 16);
            o += 32;
            c70.intoArray(ct, o);
            c71.intoArray(ct, o + 16);
        }
        for (; j0 < n; j0++) {
            FloatVector c0 = FloatVector.zero(S), c1 = c0;
            for (int kk = 0; kk < k; kk++) {
                FloatVector a = FloatVector.broadcast(S, w[j0 * k + kk]);
                c0 = a.fma(FloatVector.fromArray(S, xt, kk * 32), c0);
                c1 = a.fma(FloatVector.fromArray(S, xt, kk * 32 + 16), c1);
            }
            c0.intoArray(ct, j0 * 32);
            c1.intoArray(ct, j0 * 32 + 16);
        }
        for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) c[i * n + j] = ct[j * 32 + i];
    }

    /** C (m x n) = D (m x k) W (k x n), W's rows in the lanes as they are (no packing), m a multiple of 8. */
    static void backwardRows(float[] d, int m, int k, float[] w, int n, float[] c) {
        if (m % MR != 0) throw new IllegalArgumentException("the backward kernel takes rows in eights, not " + m);
        int full = n / NR * NR;
        var t0 = S.indexInRange(full, n);
        var t1 = S.indexInRange(full + 16, n);
        for (int i0 = 0; i0 < m; i0 += MR) {
            for (int j0 = 0; j0 < n; j0 += NR) {
                boolean tail = j0 == full;
                FloatVector c00 = FloatVector.zero(S),
                        c01 = c00,
                        c10 = c00,
                        c11 = c00,
                        c20 = c00,
                        c21 = c00,
                        c30 = c00,
                        c31 = c00,
                        c40 = c00,
                        c41 = c00,
                        c50 = c00,
                        c51 = c00,
                        c60 = c00,
                        c61 = c00,
                        c70 = c00,
                        c71 = c00;
                int r0 = i0 * k;
                for (int kk = 0; kk < k; kk++) {
                    FloatVector b0, b1;
                    if (tail) {
                        b0 = FloatVector.fromArray(S, w, kk * n + j0, t0);
                        b1 = FloatVector.fromArray(S, w, kk * n + j0 + 16, t1);
                    } else {
                        b0 = FloatVector.fromArray(S, w, kk * n + j0);
                        b1 = FloatVector.fromArray(S, w, kk * n + j0 + 16);
                    }
                    FloatVector a;
                    a = FloatVector.broadcast(S, d[r0 + kk]);
                    c00 = a.fma(b0, c00);
                    c01 = a.fma(b1, c01);
                    a = FloatVector.broadcast(S, d[r0 + k + kk]);
                    c10 = a.fma(b0, c10);
                    c11 = a.fma(b1, c11);
                    a = FloatVector.broadcast(S, d[r0 + 2 * k + kk]);
                    c20 = a.fma(b0, c20);
                    c21 = a.fma(b1, c21);
                    a = FloatVector.broadcast(S, d[r0 + 3 * k + kk]);
                    c30 = a.fma(b0, c30);
                    c31 = a.fma(b1, c31);
                    a = FloatVector.broadcast(S, d[r0 + 4 * k + kk]);
                    c40 = a.fma(b0, c40);
                    c41 = a.fma(b1, c41);
                    a = FloatVector.broadcast(S, d[r0 + 5 * k + kk]);
                    c50 = a.fma(b0, c50);
                    c51 = a.fma(b1, c51);
                    a = FloatVector.broadcast(S, d[r0 + 6 * k + kk]);
                    c60 = a.fma(b0, c60);
                    c61 = a.fma(b1, c61);
                    a = FloatVector.broadcast(S, d[r0 + 7 * k + kk]);
                    c70 = a.fma(b0, c70);
                    c71 = a.fma(b1, c71);
                }
                var m0 = tail ? t0 : S.maskAll(true);
                var m1 = tail ? t1 : S.maskAll(true);
                int o = i0 * n + j0;
                c00.intoArray(c, o, m0);
                c01.intoArray(c, o + 16, m1);
                o += n;
                c10.intoArray(c, o, m0);
                c11.intoArray(c, o + 16, m1);
                o += n;
                c20.intoArray(c, o, m0);
                c21.intoArray(c, o + 16, m1);
                o += n;
                c30.intoArray(c, o, m0);
                c31.intoArray(c, o + 16, m1);
                o += n;
                c40.intoArray(c, o, m0);
                c41.intoArray(c, o + 16, m1);
                o += n;
                c50.intoArray(c, o, m0);
                c51.intoArray(c, o + 16, m1);
                o += n;
                c60.intoArray(c, o, m0);
                c61.intoArray(c, o + 16, m1);
                o += n;
                c70.intoArray(c, o, m0);
                c71.intoArray(c, o + 16, m1);
            }
        }
    }

    static void compare(Blas blas, int m, int n, int k, Random rnd) {
        float[] x = new float[m * k],
                w = new float[n * k],
                c = new float[m * n],
                xt = new float[k * 32],
                ct = new float[n * 32];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian();
        Matrix xm = Matrix.of(m, k, x), wm = Matrix.of(n, k, w), cm = Matrix.zeros(m, n);
        // the backward product's W is k x n, a matrix of its own
        float[] wb = new float[k * n];
        for (int i = 0; i < wb.length; i++) wb[i] = (float) rnd.nextGaussian();
        Matrix wbm = Matrix.of(k, n, wb), cb = Matrix.zeros(m, n);
        float[] c2 = new float[m * n];
        double flops = 2.0 * m * n * k;
        for (int rep = 0; rep < 3; rep++) {
            int iters = (int) Math.max(50, 2e9 / flops);
            long t0 = System.nanoTime();
            for (int i = 0; i < iters; i++) blas.gemm(false, true, 1f, xm, wm, 0f, cm);
            double blasF = flops * iters / (System.nanoTime() - t0);
            t0 = System.nanoTime();
            for (int i = 0; i < iters; i++) forwardBroadcast(x, m, k, w, n, xt, ct, c);
            double javaF = flops * iters / (System.nanoTime() - t0);
            t0 = System.nanoTime();
            for (int i = 0; i < iters; i++) blas.gemm(false, false, 1f, xm, wbm, 0f, cb);
            double blasB = flops * iters / (System.nanoTime() - t0);
            t0 = System.nanoTime();
            for (int i = 0; i < iters; i++) backwardRows(x, m, k, wb, n, c2);
            double javaB = flops * iters / (System.nanoTime() - t0);
            double eF = 0, eB = 0;
            for (int i = 0; i < m * n; i++) {
                eF = Math.max(eF, Math.abs(c[i] - cm.get(i)));
                eB = Math.max(eB, Math.abs(c2[i] - cb.get(i)));
            }
            System.out.printf(
                    Locale.ROOT,
                    "%d x %d x %d: X W^T OpenBLAS %.1f, Java (W broadcast, no packing) %.1f GFLOP/s, max |diff| %.2g; D W OpenBLAS %.1f, Java (W rows, no packing) %.1f GFLOP/s, max |diff| %.2g%n",
                    m,
                    n,
                    k,
                    blasF,
                    javaF,
                    eF,
                    blasB,
                    javaB,
                    eB);
        }
    }

    public static void main(String[] args) {
        Random rnd = new Random(1);
        Blas blas = Blas.best();
        for (int[] s : new int[][] {{32, 500, 500}, {32, 500, 784}, {32, 100, 100}})
            compare(blas, s[0], s[1], s[2], rnd);
    }
}
