package io.eiscope.engine.bench;

import io.eiscope.engine.model.Dann;
import io.eiscope.engine.model.Mlp;
import io.eiscope.engine.model.Model;
import io.eiscope.engine.model.Rnn;
import io.eiscope.engine.random.Rng;
import io.eiscope.engine.tensor.Blas;
import io.eiscope.engine.tensor.Matrix;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * How close a training step's matrix products come to sgemm's peak on this core (issue 13, "matrix
 * products at the library's peak"). The peak: one thread's median GFLOP/s on a 1024^3 product. Then,
 * for MLP 784-500-500-10 and DANN 784-3x(500E,50I)-10 at batch 1, 32 and 128, and the ReLU RNNs of 100
 * and 500 units on row-sequential MNIST at batch 32 ({@link TrainStepBench}'s step), every product of the
 * step goes through a {@link Blas} that times it: the share of the step's time spent in products, their
 * GFLOP/s, and that as a share of the peak, with each product shape's own; and the step's products'
 * MFLOP and the time they would take at the peak, the least a step can take with this library on one
 * thread. Not a test. Usage: {@code java -cp ... io.eiscope.engine.bench.GemmShareBench [steps=300 [model batch]]},
 * with {@code OPENBLAS_NUM_THREADS=1}; with a model and a batch, that step alone and every product of it.
 */
public final class GemmShareBench {
    private GemmShareBench() {}

    /** A {@link Blas} that times each product and counts its multiply-adds, by shape. */
    static final class TimedBlas implements Blas {
        final Blas inner = Blas.best();
        final Map<String, double[]> byShape = new TreeMap<>(); // shape -> {nanos, flops, calls}
        boolean on;

        @Override
        public boolean untransposedFaster(int m, int n, int k) {
            return inner.untransposedFaster(m, n, k);
        }

        @Override
        public void gemm(boolean transA, boolean transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
            if (!on) {
                inner.gemm(transA, transB, alpha, a, b, beta, c);
                return;
            }
            int k = transA ? a.rows : a.cols;
            long t0 = System.nanoTime();
            inner.gemm(transA, transB, alpha, a, b, beta, c);
            long t = System.nanoTime() - t0;
            String shape = String.format(
                    Locale.ROOT, "%d x %d x %d%s%s", c.rows, c.cols, k, transA ? " A^T" : "", transB ? " B^T" : "");
            double[] s = byShape.computeIfAbsent(shape, x -> new double[3]);
            s[0] += t;
            s[1] += 2.0 * c.rows * c.cols * k;
            s[2]++;
        }

        @Override
        public void axpy(float alpha, Matrix x, Matrix y) {
            inner.axpy(alpha, x, y);
        }

        @Override
        public void scal(float alpha, Matrix x) {
            inner.scal(alpha, x);
        }

        @Override
        public float asum(Matrix x) {
            return inner.asum(x);
        }

        @Override
        public String name() {
            return "timed " + inner.name();
        }
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        String only = args.length > 2 ? args[1] : null; // a model and batch: every product of its step
        int onlyBatch = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        double peak = peakGflops(1024);
        System.out.printf(
                Locale.ROOT,
                "# blas=%s OPENBLAS_NUM_THREADS=%s; sgemm peak, one thread, 1024^3: %.1f GFLOP/s%n",
                Blas.best().name(),
                System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "?"),
                peak);
        Map<String, Function<Blas, Model>> models = Map.of(
                "mlp",
                blas -> Mlp.create(784, new int[] {500, 500}, 10, blas, new Rng(42)),
                "dann",
                blas -> Dann.create(
                        784,
                        new int[] {500, 500, 500},
                        new int[] {50, 50, 50},
                        10,
                        Dann.Inhibition.SUBTRACTIVE_DIVISIVE,
                        blas,
                        new Rng(42)),
                "rnn100",
                blas -> Rnn.create(TrainStepBench.ROW_SEQUENTIAL, new int[] {100}, blas, new Rng(42)),
                "rnn500",
                blas -> Rnn.create(TrainStepBench.ROW_SEQUENTIAL, new int[] {500}, blas, new Rng(42)));
        System.out.println("| model | batch | step ms | in products | products GFLOP/s | of peak |"
                + " products MFLOP | products at peak, ms | largest products: shape, GFLOP/s, of peak |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (String name : only != null ? new String[] {only} : new String[] {"mlp", "dann", "rnn100", "rnn500"}) {
            int[] batches = only != null
                    ? new int[] {onlyBatch}
                    : name.startsWith("rnn") ? new int[] {32} : new int[] {1, 32, 128};
            for (int batch : batches) {
                TimedBlas blas = new TimedBlas();
                TrainStepBench.Trainer t =
                        new TrainStepBench.Trainer(models.get(name).apply(blas), batch);
                for (int i = 0; i < steps / 3; i++) t.step(); // warm-up, untimed
                blas.on = true;
                long t0 = System.nanoTime();
                for (int i = 0; i < steps; i++) t.step();
                double stepNanos = (System.nanoTime() - t0) / (double) steps;
                double nanos = 0, flops = 0;
                for (double[] s : blas.byShape.values()) {
                    nanos += s[0];
                    flops += s[1];
                }
                StringBuilder largest = new StringBuilder();
                blas.byShape.entrySet().stream()
                        .sorted((x, y) -> Double.compare(y.getValue()[1], x.getValue()[1]))
                        .limit(3)
                        .forEach(e -> largest.append(largest.length() == 0 ? "" : "; ")
                                .append(String.format(
                                        Locale.ROOT,
                                        "%s: %.1f, %.0f %%",
                                        e.getKey(),
                                        e.getValue()[1] / e.getValue()[0],
                                        100 * e.getValue()[1] / e.getValue()[0] / peak)));
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %d | %.3f | %.0f %% | %.1f | %.0f %% | %.1f | %.3f | %s |%n",
                        name,
                        batch,
                        stepNanos / 1e6,
                        100 * nanos / steps / stepNanos,
                        flops / nanos,
                        100 * flops / nanos / peak,
                        flops / steps / 1e6,
                        flops / steps / peak / 1e6,
                        largest);
                if (only != null) everyProduct(blas, steps, stepNanos, peak);
            }
        }
        if (only == null) layouts();
    }

    /** Each product shape of the step: calls a step, ms a step, share of the step, GFLOP/s, share of the peak. */
    static void everyProduct(TimedBlas blas, int steps, double stepNanos, double peak) {
        System.out.println(
                "\n| product (C rows x cols x k) | calls a step | ms a step | of the step | GFLOP/s | of peak |");
        System.out.println("|---|---|---|---|---|---|");
        blas.byShape.entrySet().stream()
                .sorted((x, y) -> Double.compare(y.getValue()[0], x.getValue()[0]))
                .forEach(e -> {
                    double[] v = e.getValue();
                    System.out.printf(
                            Locale.ROOT,
                            "| %s | %.0f | %.3f | %.1f %% | %.1f | %.0f %% |%n",
                            e.getKey(),
                            v[2] / steps,
                            v[0] / steps / 1e6,
                            100 * v[0] / steps / stepNanos,
                            v[1] / v[0],
                            100 * v[1] / v[0] / peak);
                });
    }

    /**
     * The forward product of a 784-to-500 layer as the engine makes it, {@code X W^T} (batch x 500), against
     * the same numbers as {@code (W X^T)^T}: OpenBLAS's kernels favour a tall A, so the second may be
     * faster at small batches even with the transpose it needs. Median of 31 after 20 untimed, microseconds.
     */
    static void layouts() {
        System.out.println("\n| batch | X W^T (us, GFLOP/s) | W X^T, then transposed (us, GFLOP/s) |");
        System.out.println("|---|---|---|");
        Rng g = new Rng(3);
        for (int batch : new int[] {8, 32, 64, 128}) {
            Matrix x = Matrix.zeros(batch, 784), w = Matrix.zeros(500, 784);
            Matrix c = Matrix.zeros(batch, 500), ct = Matrix.zeros(500, batch);
            for (int i = 0; i < x.size(); i++) x.set(i, (float) g.nextDouble());
            for (int i = 0; i < w.size(); i++) w.set(i, (float) g.nextDouble());
            double direct = micros(() -> Blas.best().gemm(false, true, 1f, x, w, 0f, c));
            double viaTall = micros(() -> {
                Blas.best().gemm(false, true, 1f, w, x, 0f, ct);
                for (int i = 0; i < 500; i++) for (int j = 0; j < batch; j++) c.set(j, i, ct.get(i, j));
            });
            double flops = 2.0 * batch * 500 * 784;
            System.out.printf(
                    Locale.ROOT,
                    "| %d | %.1f, %.1f | %.1f, %.1f |%n",
                    batch,
                    direct,
                    flops / direct / 1e3,
                    viaTall,
                    flops / viaTall / 1e3);
        }
    }

    static double micros(Runnable r) {
        for (int i = 0; i < 20; i++) r.run();
        double[] t = new double[31];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e3;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }

    /** One thread's median GFLOP/s over 9 products n x n x n, after 3 untimed. */
    static double peakGflops(int n) {
        Matrix a = Matrix.zeros(n, n), b = Matrix.zeros(n, n), c = Matrix.zeros(n, n);
        Rng g = new Rng(1);
        for (int i = 0; i < a.size(); i++) {
            a.set(i, (float) g.nextDouble());
            b.set(i, (float) g.nextDouble());
        }
        for (int i = 0; i < 3; i++) Blas.best().gemm(false, false, 1f, a, b, 0f, c);
        double[] r = new double[9];
        for (int i = 0; i < r.length; i++) {
            long t0 = System.nanoTime();
            Blas.best().gemm(false, false, 1f, a, b, 0f, c);
            r[i] = 2.0 * n * n * n / (System.nanoTime() - t0);
        }
        Arrays.sort(r);
        return r[r.length / 2];
    }
}
