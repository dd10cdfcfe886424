package io.eiscope.engine.bench;

import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The engine's products of a minibatch with a weight matrix ({@code Blas.best().gemm}, which takes batches of 28
 * to 32 rows itself on AVX-512 machines: tensor.RowProducts) against OpenBLAS's {@code sgemm} called directly on the same buffers,
 * for the forward {@code X W^T}, backward {@code D W} and weight-gradient {@code D^T X} products of the benchmarked models' layers, at several
 * batch sizes. Prints GFLOP/s of each, three repeats, and the largest difference of their results (the same sums
 * rounded in another order).
 *
 * <p>Not a test. Usage: {@code OPENBLAS_NUM_THREADS=1 java --add-modules jdk.incubator.vector -cp ...
 * io.eiscope.engine.bench.RowProductsBench [m,m,... [X_WT,D_W,DT_X]]} (default 16,32,48,64 and all three).
 */
public final class RowProductsBench {
    /** n x k of the benchmarked layers (MLP, DANN, RNN 100 and 500), then others near the engine's bounds. */
    private static final int[][] SHAPES = {
        {500, 784},
        {500, 500},
        {784, 500},
        {100, 100},
        {50, 500},
        {10, 500},
        {50, 784},
        {256, 512},
        {512, 256},
        {128, 1024},
        {1024, 128},
        {2048, 64},
        {64, 2048},
        {362, 362},
        {1000, 1000}
    };

    private RowProductsBench() {}

    /** The three products of a layer's step with the batch of m rows, and how {@code gemm} is called for each. */
    enum Form {
        /** forward: {@code X (m x k) W^T}, W n x k. */
        X_WT(false, true),
        /** backward to the input: {@code D (m x k) W}, W k x n. */
        D_W(false, false),
        /** the weights' gradient: {@code D^T X}, D m x n, X m x k, an n x k result. */
        DT_X(true, false);
        final boolean transA, transB;

        Form(boolean transA, boolean transB) {
            this.transA = transA;
            this.transB = transB;
        }
    }

    private static void sgemm(Form f, Matrix a, Matrix b, Matrix c) {
        int m = c.rows, n = c.cols, k = f.transA ? a.rows : a.cols;
        openblas_nolapack.cblas_sgemm(
                openblas_nolapack.CblasRowMajor,
                f.transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                f.transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m,
                n,
                k,
                1f,
                a.data(),
                a.cols,
                b.data(),
                b.cols,
                0f,
                c.data(),
                n);
    }

    private static Matrix gaussian(int rows, int cols, Random rnd) {
        Matrix x = Matrix.zeros(rows, cols);
        for (int i = 0; i < x.size(); i++) x.set(i, (float) rnd.nextGaussian());
        return x;
    }

    static void compare(int m, int n, int k, Form f, Random rnd) {
        Blas blas = Blas.best();
        Matrix a, w, engine;
        switch (f) {
            case X_WT -> {
                a = gaussian(m, k, rnd);
                w = gaussian(n, k, rnd);
                engine = Matrix.zeros(m, n);
            }
            case D_W -> {
                a = gaussian(m, k, rnd);
                w = gaussian(k, n, rnd);
                engine = Matrix.zeros(m, n);
            }
            default -> {
                a = gaussian(m, n, rnd);
                w = gaussian(m, k, rnd);
                engine = Matrix.zeros(n, k);
            }
        }
        Matrix openblas = Matrix.zeros(engine.rows, engine.cols);
        double flops = 2.0 * m * n * k;
        int iters = (int) Math.max(50, 2e9 / flops);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%3d x %4d x %4d %-5s", m, n, k, f));
        for (int rep = 0; rep < 3; rep++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < iters; i++) sgemm(f, a, w, openblas);
            double o = flops * iters / (System.nanoTime() - t0);
            t0 = System.nanoTime();
            for (int i = 0; i < iters; i++) blas.gemm(f.transA, f.transB, 1f, a, w, 0f, engine);
            double e = flops * iters / (System.nanoTime() - t0);
            line.append(String.format(Locale.ROOT, " | sgemm %5.1f engine %5.1f", o, e));
        }
        double diff = 0;
        for (int i = 0; i < engine.size(); i++) diff = Math.max(diff, Math.abs(engine.get(i) - openblas.get(i)));
        System.out.println(line.append(String.format(Locale.ROOT, " | max |diff| %.2g", diff)));
    }

    public static void main(String[] args) {
        openblas_nolapack.blas_set_num_threads(1);
        int[] batches = args.length > 0
                ? java.util.Arrays.stream(args[0].split(","))
                        .mapToInt(Integer::parseInt)
                        .toArray()
                : new int[] {16, 32, 48, 64};
        Form[] forms = args.length > 1
                ? java.util.Arrays.stream(args[1].split(",")).map(Form::valueOf).toArray(Form[]::new)
                : Form.values();
        Random rnd = new Random(1);
        System.out.println("GFLOP/s, " + Blas.best().name() + ", JDK " + Runtime.version());
        for (int m : batches) for (int[] s : SHAPES) for (Form f : forms) compare(m, s[0], s[1], f, rnd);
    }
}
