package io.eiscope.engine.bench;

import java.util.Arrays;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Would a playing run gain from OpenBLAS's own threads on idle cores (issue 13)? For each product
 * of an MLP 784-500-500-10 step at batch 32 and 128 ({@code X W^T}, {@code dY W}, {@code dY^T X}),
 * and one large square product: whether two threads give the same bits as one, and the wall time
 * with one and two threads, first on an otherwise idle machine, then while {@code busy} other
 * threads spin (another playing run per busy thread). Median of 31 timed calls after 20 untimed.
 * Not a test. Usage: {@code java -cp ... io.eiscope.engine.bench.BlasThreadsBench [busy=1]}.
 */
public final class BlasThreadsBench {
    private BlasThreadsBench() {}

    static volatile boolean spin;

    public static void main(String[] args) throws InterruptedException {
        int busy = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int[][] shapes = { // m, n, k, transB (1: B is n x k, as W in X W^T)
            {32, 500, 784, 1},
            {32, 784, 500, 0},
            {500, 784, 32, 0},
            {128, 500, 784, 1},
            {128, 784, 500, 0},
            {500, 784, 128, 0},
            {128, 500, 500, 1},
            {1000, 1000, 1000, 0}
        };
        System.out.printf(
                "# cores %d, OPENBLAS_NUM_THREADS=%s, %d busy thread(s) in the second half%n",
                Runtime.getRuntime().availableProcessors(),
                System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "?"),
                busy);
        System.out.println("| product (m x n x k) | same bits, 2 threads vs 1 | idle: 1 thread ms | idle: 2 threads ms"
                + " | busy: 1 thread ms | busy: 2 threads ms |");
        System.out.println("|---|---|---|---|---|---|");
        Random g = new Random(1);
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            boolean transB = s[3] == 1;
            FloatPointer a = gaussian(m * k, g), b = gaussian(k * n, g);
            FloatPointer c1 = new FloatPointer((long) m * n), c2 = new FloatPointer((long) m * n);
            Runnable one = () -> gemm(m, n, k, transB, a, b, c1);
            Runnable two = () -> gemm(m, n, k, transB, a, b, c2);
            double idle1 = median(one, 1), idle2 = median(two, 2);
            float[] x1 = new float[m * n], x2 = new float[m * n];
            c1.get(x1);
            c2.get(x2);
            Thread[] spinners = startSpinning(busy);
            double busy1 = median(one, 1), busy2 = median(two, 2);
            stopSpinning(spinners);
            System.out.printf(
                    java.util.Locale.ROOT,
                    "| %d x %d x %d%s | %s | %.3f | %.3f | %.3f | %.3f |%n",
                    m,
                    n,
                    k,
                    transB ? " (B^T)" : "",
                    Arrays.equals(x1, x2) ? "yes" : "no",
                    idle1,
                    idle2,
                    busy1,
                    busy2);
        }
    }

    static void gemm(int m, int n, int k, boolean transB, FloatPointer a, FloatPointer b, FloatPointer c) {
        openblas_nolapack.cblas_sgemm(
                openblas_nolapack.CblasRowMajor,
                openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m,
                n,
                k,
                1f,
                a,
                k,
                b,
                transB ? k : n,
                0f,
                c,
                n);
    }

    /** Milliseconds, {@link GemmShareBench#micros}'s median, with {@code threads} OpenBLAS threads. */
    static double median(Runnable r, int threads) {
        openblas_nolapack.blas_set_num_threads(threads);
        try {
            return GemmShareBench.micros(r) / 1e3;
        } finally {
            openblas_nolapack.blas_set_num_threads(1);
        }
    }

    static Thread[] startSpinning(int n) {
        spin = true;
        Thread[] ts = new Thread[n];
        for (int i = 0; i < n; i++) {
            ts[i] = new Thread(() -> {
                double x = 1;
                while (spin) x = Math.sqrt(x + 1);
                if (x < 0) System.out.println(x);
            });
            ts[i].setDaemon(true);
            ts[i].start();
        }
        return ts;
    }

    static void stopSpinning(Thread[] ts) throws InterruptedException {
        spin = false;
        for (Thread t : ts) t.join();
    }

    static FloatPointer gaussian(int size, Random g) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = (float) g.nextGaussian();
        return new FloatPointer(v);
    }
}
