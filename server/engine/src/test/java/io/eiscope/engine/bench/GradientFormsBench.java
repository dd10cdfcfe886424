package io.eiscope.engine.bench;

import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.Random;

/**
 * A weight gradient {@code C = A^T B} ({@code A}: {@code k x m}, {@code B}: {@code k x n}, time-major sequences)
 * in each form the library can run it, through {@link Blas#best()}: {@code A^T B} as the operands lie, its transpose
 * {@code (B^T A)^T}, and the untransposed products given operands kept transposed ({@code A^T}: {@code m x k},
 * {@code B^T}: {@code n x k}), with the cost of transposing each operand. Best of 7 timed batches after 2,
 * microseconds; {@code [X]} is an operand kept transposed. Not a test. Usage: {@code java -cp ... io.eiscope.engine.bench.GradientFormsBench [m,n,k ...]}
 * (default: RNN 100 at batch 32 on row-sequential MNIST, {@code 100,100,864 100,28,896}), with
 * {@code OPENBLAS_NUM_THREADS=1}.
 */
public final class GradientFormsBench {
    private GradientFormsBench() {}

    public static void main(String[] args) {
        String[] shapes = args.length > 0 ? args : new String[] {"100,100,864", "100,28,896"};
        Blas blas = Blas.best();
        Random g = new Random(1);
        System.out.println("# blas=" + blas.name() + "; microseconds, best of 7");
        System.out.println("| m x n x k | A^T B | (B^T A)^T | [A^T] B | ([B^T] A)^T | [A^T] [B^T]^T"
                + " | transpose A | transpose B | transpose C | k-chunks | A^T B in the chunks |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        for (String s : shapes) {
            String[] p = s.split(",", -1);
            int m = Integer.parseInt(p[0]), n = Integer.parseInt(p[1]), k = Integer.parseInt(p[2]);
            Matrix a = gaussian(k, m, g), b = gaussian(k, n, g), at = Matrix.zeros(m, k), bt = Matrix.zeros(n, k);
            Matrix c = Matrix.zeros(m, n), ct = Matrix.zeros(n, m);
            float[] scratch = new float[Math.max(k, m) * Math.max(m, n) + Math.max(k, Math.max(m, n))];
            a.transposeInto(at, scratch);
            b.transposeInto(bt, scratch);
            int reps = (int) Math.max(20, 3e7 / (2.0 * m * n * k));
            double tn = time(() -> blas.gemm(true, false, 1f, a, b, 0f, c), reps);
            double tnT = time(() -> blas.gemm(true, false, 1f, b, a, 0f, ct), reps);
            double nnA = time(() -> blas.gemm(false, false, 1f, at, b, 0f, c), reps);
            double nnB = time(() -> blas.gemm(false, false, 1f, bt, a, 0f, ct), reps);
            double nt = time(() -> blas.gemm(false, true, 1f, at, bt, 0f, c), reps);
            double trA = time(() -> a.transposeInto(at, scratch), reps);
            double trB = time(() -> b.transposeInto(bt, scratch), reps);
            double trC = time(() -> ct.transposeInto(c, scratch), reps);
            int len0 = (int) Math.max(1, Math.min(k, Math.floor(1e6 / ((double) m * n))));
            int pieces = (k + len0 - 1) / len0, len = (k + pieces - 1) / pieces;
            Matrix[] as = new Matrix[pieces], bs = new Matrix[pieces];
            for (int i = 0; i < pieces; i++) {
                int first = i * len, rows = Math.min(len, k - first);
                as[i] = a.rowsView(first, rows);
                bs[i] = b.rowsView(first, rows);
            }
            double chunked = time(
                    () -> {
                        for (int i = 0; i < pieces; i++) blas.gemm(true, false, 1f, as[i], bs[i], i == 0 ? 0f : 1f, c);
                    },
                    reps);
            System.out.printf(
                    "| %d x %d x %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d x %d | %.1f |%n",
                    m, n, k, tn, tnT, nnA, nnB, nt, trA, trB, trC, pieces, len, chunked);
        }
    }

    private static Matrix gaussian(int r, int c, Random g) {
        Matrix m = Matrix.zeros(r, c);
        for (int i = 0; i < m.size(); i++) m.set(i, (float) g.nextGaussian());
        return m;
    }

    private static double time(Runnable r, int reps) {
        double best = Double.MAX_VALUE;
        for (int k = 0; k < 9; k++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) r.run();
            double t = (System.nanoTime() - t0) / 1e3 / reps;
            if (k >= 2) best = Math.min(best, t);
        }
        return best;
    }
}
