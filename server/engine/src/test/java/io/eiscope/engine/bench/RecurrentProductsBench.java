package io.eiscope.engine.bench;

import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * Thread-CPU microseconds of the matrix products of one recurrent training step (batch 32, 28
 * steps of 28 inputs, n units) through {@link Blas#best()}, each in the layouts the cell could use:
 * the recurrence {@code h_{t-1} W^T} (forward, as the cell does), {@code dz_t W} (backward, as the
 * cell does), {@code W h^T} and {@code W^T h^T} (a feature-major state, which the cell does not
 * use); the weight gradient over all steps {@code dz^T h} (k = 27 x 32); the input projection
 * {@code x U^T} and its gradient {@code dz^T x}. Median of 7 timed batches after one untimed.
 * The counterpart of {@code bench/torch_products.py}. Not a test. Usage: {@code java -cp ...
 * io.eiscope.engine.bench.RecurrentProductsBench [n ...]} (default 100 500), with
 * {@code OPENBLAS_NUM_THREADS=1} and without {@code OPENBLAS_CORETYPE}/{@code OPENBLAS_L2_SIZE}.
 */
public final class RecurrentProductsBench {
    private RecurrentProductsBench() {}

    static final int BATCH = 32, STEPS = 28, INPUTS = 28;

    public static void main(String[] args) {
        Blas blas = Blas.best();
        Random g = new Random(1);
        int[] sizes = args.length == 0
                ? new int[] {100, 500}
                : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        System.out.println("# blas=" + blas.name() + " OPENBLAS_NUM_THREADS="
                + System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "?"));
        for (int n : sizes) {
            Matrix h = gaussian(BATCH, n, g), w = gaussian(n, n, g), c = gaussian(BATCH, n, g);
            Matrix hT = gaussian(n, BATCH, g), cT = gaussian(n, BATCH, g);
            Matrix all = gaussian(STEPS * BATCH, n, g), dW = Matrix.zeros(n, n);
            Matrix x = gaussian(STEPS * BATCH, INPUTS, g), u = gaussian(n, INPUTS, g), dU = Matrix.zeros(n, INPUTS);
            Matrix tail = all.rowsView(BATCH, (STEPS - 1) * BATCH), head = all.rowsView(0, (STEPS - 1) * BATCH);
            int reps = Math.max(5, 40_000_000 / (BATCH * n * n));
            double step = 2.0 * BATCH * n * n,
                    whole = 2.0 * n * n * (STEPS - 1) * BATCH,
                    in = 2.0 * STEPS * BATCH * INPUTS * n;
            report(n, "h W^T (forward)", step, time(() -> blas.gemm(false, true, 1f, h, w, 1f, c), reps));
            report(n, "dz W (backward)", step, time(() -> blas.gemm(false, false, 1f, h, w, 1f, c), reps));
            report(n, "W h^T (feature-major)", step, time(() -> blas.gemm(false, false, 1f, w, hT, 1f, cT), reps));
            report(n, "W^T dz^T (feature-major)", step, time(() -> blas.gemm(true, false, 1f, w, hT, 1f, cT), reps));
            report(
                    n,
                    "dW = dz^T h (all steps)",
                    whole,
                    time(() -> blas.gemm(true, false, 1f, tail, head, 0f, dW), Math.max(2, reps / 27)));
            report(
                    n,
                    "x U^T (all steps)",
                    in,
                    time(() -> blas.gemm(false, true, 1f, x, u, 0f, all), Math.max(2, reps / 10)));
            report(
                    n,
                    "dU = dz^T x (all steps)",
                    in,
                    time(() -> blas.gemm(true, false, 1f, all, x, 0f, dU), Math.max(2, reps / 10)));
        }
    }

    private static void report(int n, String what, double flops, double micros) {
        System.out.printf("RESULT\teiscope\t%d\t%s\t%.1f\t%.1f%n", n, what, micros, flops / micros / 1e3);
    }

    /** Median thread-CPU microseconds per call over 7 batches of {@code reps} calls, after one untimed batch. */
    private static double time(Runnable r, int reps) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double[] t = new double[7];
        for (int k = -1; k < t.length; k++) {
            long c0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < reps; i++) r.run();
            if (k >= 0) t[k] = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / reps;
        }
        Arrays.sort(t);
        return t[3];
    }

    private static Matrix gaussian(int rows, int cols, Random g) {
        Matrix m = Matrix.zeros(rows, cols);
        for (int i = 0; i < m.size(); i++) m.set(i, (float) g.nextGaussian());
        return m;
    }
}
