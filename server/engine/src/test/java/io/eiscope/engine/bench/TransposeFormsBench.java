package io.eiscope.engine.bench;

import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.Arrays;
import java.util.Random;

/**
 * The two forms of a product by a square weight matrix that a recurrence can use: {@code A W^T} with W as it lies,
 * and {@code A B} with {@code B = W^T} kept transposed, through {@link Blas#best()}, for every rows x size pair;
 * and whether {@link Blas#untransposedFaster} picks the second. Best of 7 timed batches after 2, microseconds a
 * product. Not a test. Usage: {@code java -cp ... io.eiscope.engine.bench.TransposeFormsBench [rows,... [sizes,...]]}
 * (default 4,8,32,64 and 32,64,100,128,200,300,500), with {@code OPENBLAS_NUM_THREADS=1}.
 */
public final class TransposeFormsBench {
    private TransposeFormsBench() {}

    public static void main(String[] args) {
        int[] rows = args.length > 0 ? ints(args[0]) : new int[] {4, 8, 32, 64};
        int[] sizes = args.length > 1 ? ints(args[1]) : new int[] {32, 64, 100, 128, 200, 300, 500};
        Blas blas = Blas.best();
        Random g = new Random(1);
        System.out.println("# blas=" + blas.name());
        System.out.println("| rows x n x n | A W^T, us | A (W^T), us | ratio | untransposedFaster |");
        System.out.println("|---|---:|---:|---:|---|");
        for (int m : rows)
            for (int n : sizes) {
                Matrix a = gaussian(m, n, g), w = gaussian(n, n, g), c = gaussian(m, n, g);
                int reps = (int) Math.max(20, 3e7 / (2.0 * m * n * n));
                double nt = time(() -> blas.gemm(false, true, 1f, a, w, 1f, c), reps);
                double nn = time(() -> blas.gemm(false, false, 1f, a, w, 1f, c), reps);
                System.out.printf(
                        "| %d x %d x %d | %.2f | %.2f | %.2f | %s |%n",
                        m, n, n, nt, nn, nt / nn, blas.untransposedFaster(m, n, n));
            }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
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
