package io.eiscope.engine.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * A row-major product {@code C = op(A) op(B)} by OpenBLAS's {@code cblas_sgemm}, whole, and cut into even pieces of at
 * most {@code 10^6} multiply-adds (the size up to which OpenBLAS may take its small-matrix kernels) along the rows of
 * C, its columns, or k: each piece in place, through the leading dimensions. Best of 7 timed batches after 2,
 * microseconds. Not a test. Usage: {@code java -cp ... io.eiscope.engine.bench.ProductPiecesBench FORM,m,n,k ...}
 * with FORM one of NN, NT, TN, TT (op(A), op(B)), with {@code OPENBLAS_NUM_THREADS=1}.
 */
public final class ProductPiecesBench {
    private ProductPiecesBench() {}

    public static void main(String[] args) {
        Random g = new Random(1);
        System.out.println("# openblas, OPENBLAS_NUM_THREADS=" + System.getenv("OPENBLAS_NUM_THREADS")
                + "; microseconds, best of 7");
        System.out.println("| form | m x n x k | whole | rows: pieces, us | columns: pieces, us | k: pieces, us |");
        System.out.println("|---|---|---:|---|---|---|");
        for (String s : args) {
            String[] p = s.split(",", -1);
            boolean ta = p[0].charAt(0) == 'T', tb = p[0].charAt(1) == 'T';
            int m = Integer.parseInt(p[1]), n = Integer.parseInt(p[2]), k = Integer.parseInt(p[3]);
            int lda = ta ? m : k, ldb = tb ? k : n, ldc = n;
            FloatBuffer a = gaussian(m * k, g), b = gaussian(k * n, g), c = gaussian(m * n, g);
            int reps = (int) Math.max(20, 3e7 / (2.0 * m * n * k));
            double whole = time(List.of(() -> sgemm(ta, tb, m, n, k, a, lda, b, ldb, 0f, c, ldc)), reps);
            double share = 1e6 / ((double) m * n * k);
            // rows of C: rows of A, or its columns when A is transposed
            int rowLen = even(m, share), colLen = even(n, share), kLen = even(k, share);
            List<Runnable> rows = new ArrayList<>(), cols = new ArrayList<>(), ks = new ArrayList<>();
            for (int f = 0; f < m; f += rowLen) {
                int len = Math.min(rowLen, m - f);
                FloatBuffer ap = tail(a, ta ? f : f * lda), cp = tail(c, f * ldc);
                rows.add(() -> sgemm(ta, tb, len, n, k, ap, lda, b, ldb, 0f, cp, ldc));
            }
            for (int f = 0; f < n; f += colLen) {
                int len = Math.min(colLen, n - f);
                FloatBuffer bp = tail(b, tb ? f * ldb : f), cp = tail(c, f);
                cols.add(() -> sgemm(ta, tb, m, len, k, a, lda, bp, ldb, 0f, cp, ldc));
            }
            for (int f = 0; f < k; f += kLen) {
                int len = Math.min(kLen, k - f);
                float beta = f == 0 ? 0f : 1f;
                FloatBuffer ap = tail(a, ta ? f * lda : f), bp = tail(b, tb ? f : f * ldb);
                ks.add(() -> sgemm(ta, tb, m, n, len, ap, lda, bp, ldb, beta, c, ldc));
            }
            System.out.printf(
                    "| %s | %d x %d x %d | %.1f | %d: %.1f | %d: %.1f | %d: %.1f |%n",
                    p[0],
                    m,
                    n,
                    k,
                    whole,
                    rows.size(),
                    time(rows, reps),
                    cols.size(),
                    time(cols, reps),
                    ks.size(),
                    time(ks, reps));
        }
    }

    private static void sgemm(
            boolean ta,
            boolean tb,
            int m,
            int n,
            int k,
            FloatBuffer a,
            int lda,
            FloatBuffer b,
            int ldb,
            float beta,
            FloatBuffer c,
            int ldc) {
        openblas_nolapack.cblas_sgemm(
                openblas_nolapack.CblasRowMajor,
                ta ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                tb ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m,
                n,
                k,
                1f,
                a,
                lda,
                b,
                ldb,
                beta,
                c,
                ldc);
    }

    /** The length of even pieces of {@code d}, each at most {@code share} of it (at least 1). */
    private static int even(int d, double share) {
        int longest = Math.max(1, (int) (d * share)), pieces = (d + longest - 1) / longest;
        return (d + pieces - 1) / pieces;
    }

    private static FloatBuffer tail(FloatBuffer f, int offset) {
        return f.slice(offset, f.capacity() - offset);
    }

    private static FloatBuffer gaussian(int size, Random g) {
        FloatBuffer f = ByteBuffer.allocateDirect(size * Float.BYTES)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        for (int i = 0; i < size; i++) f.put(i, (float) g.nextGaussian());
        return f;
    }

    private static double time(List<Runnable> pieces, int reps) {
        double best = Double.MAX_VALUE;
        for (int t = 0; t < 9; t++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) for (Runnable r : pieces) r.run();
            double us = (System.nanoTime() - t0) / 1e3 / reps;
            if (t >= 2) best = Math.min(best, us);
        }
        return best;
    }
}
