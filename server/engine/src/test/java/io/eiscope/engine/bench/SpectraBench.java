package io.eiscope.engine.bench;

import io.eiscope.engine.tensor.Matrix;
import io.eiscope.engine.tensor.Spectra;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Time of {@link Spectra#singularValues} (LAPACK {@code sgesdd}, values only) and
 * {@link Spectra#eigenvalues} ({@code sgeev}, no vectors) on n x n float32 matrices of Gaussian
 * entries, as the spectrum observables call them (input copy and finiteness check included).
 * The counterpart of {@code bench/torch_spectra.py}; {@code bench/spectra.sh} runs both.
 *
 * <p>Not a test (surefire never runs it). Usage: {@code java -cp ...
 * io.eiscope.engine.bench.SpectraBench [--sizes 500,1000] [--ops svd,eig] [--runs 20]
 * [--warmup 3]}; set {@code OPENBLAS_NUM_THREADS=1} for one core. With
 * {@code -Deiscope.blas.java=true} singular values come from the pure-Java fallback (side
 * {@code eiscope-java}; it has no eigenvalues).
 *
 * <p>Prints one {@code RESULT} line per cell: side, op, n, median wall ms, min, max, median
 * thread-CPU ms, runs.
 */
public final class SpectraBench {
    private SpectraBench() {}

    public static void main(String[] args) {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        int runs = Integer.parseInt(opt.getOrDefault("runs", "20")),
                warmup = Integer.parseInt(opt.getOrDefault("warmup", "3"));
        String side = Spectra.nativeLapack() ? "eiscope" : "eiscope-java";
        System.out.println("# " + side + ": "
                + (Spectra.nativeLapack() ? "LAPACK sgesdd/sgeev (OpenBLAS via JavaCPP)" : "pure-Java Jacobi SVD")
                + ", OPENBLAS_NUM_THREADS=" + System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "?"));
        for (String size : opt.getOrDefault("sizes", "500,1000").split(",", -1)) {
            int n = Integer.parseInt(size);
            Random r = new Random(1);
            Matrix a = Matrix.zeros(n, n);
            for (int i = 0; i < a.size(); i++) a.set(i, (float) r.nextGaussian());
            for (String op : opt.getOrDefault("ops", "svd,eig").split(",", -1)) {
                if (op.equals("eig") && !Spectra.nativeLapack()) continue; // no Java fallback for eigenvalues
                Runnable call = op.equals("svd") ? () -> Spectra.singularValues(a) : () -> Spectra.eigenvalues(a);
                for (int i = 0; i < warmup; i++) call.run();
                double[] wall = new double[runs], cpu = new double[runs];
                var mx = ManagementFactory.getThreadMXBean();
                for (int i = 0; i < runs; i++) {
                    long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                    call.run();
                    wall[i] = (System.nanoTime() - t0) / 1e6;
                    cpu[i] = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
                }
                Arrays.sort(wall);
                Arrays.sort(cpu);
                System.out.printf(
                        "RESULT\t%s\t%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%d%n",
                        side, op, n, wall[runs / 2], wall[0], wall[runs - 1], cpu[runs / 2], runs);
            }
        }
    }
}
