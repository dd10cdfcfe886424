package io.eiscope.engine.bench;

import io.eiscope.engine.tensor.Matrix;
import io.eiscope.engine.tensor.Spectra;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.bytedeco.openblas.global.openblas;

/**
 * Time of {@link Spectra#singularValues} (LAPACK {@code sgesdd}, values only),
 * {@link Spectra#eigenvalues} (no vectors; {@code eig-ei} and {@code eig-cycle} on the matrices below, {@code
 * eig-sgeev} through {@code sgeev} alone, {@link Spectra#eigenvaluesOnEveryJvm}) and {@link Spectra#spectralRadius(Matrix)}
 * (Arnoldi; op {@code radius}, and {@code radius-ei} on a Dale's-law matrix made from the same
 * numbers, {@link #dale}; {@code radius-cycle} on a cyclic permutation, its worst case) on n x n float32 matrices of Gaussian entries, as the spectrum observables
 * call them (input copy and finiteness check included).
 * The counterpart of {@code bench/torch_spectra.py}; {@code bench/spectra.sh} runs both.
 *
 * <p>Not a test (surefire never runs it). Usage: {@code java -cp ...
 * io.eiscope.engine.bench.SpectraBench [--sizes 500,1000] [--ops svd,eig,eig-sgeev,eig-ei,eig-cycle,eig-parts,radius,radius-ei,radius-cycle] [--runs 20]
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
                if (op.startsWith("eig") && !Spectra.nativeLapack()) continue; // no Java fallback for eigenvalues
                if (op.equals("eig-parts")) {
                    eigParts(side, a, runs, warmup);
                    continue;
                }
                Matrix ei = op.endsWith("-ei") ? dale(a) : null, cycle = op.endsWith("-cycle") ? cycle(n) : null;
                Runnable call = switch (op) {
                    case "svd" -> () -> Spectra.singularValues(a);
                    case "eig" -> () -> Spectra.eigenvalues(a);
                    case "eig-sgeev" -> () -> Spectra.eigenvaluesOnEveryJvm(a);
                    case "eig-ei" -> () -> Spectra.eigenvalues(ei);
                    case "eig-cycle" -> () -> Spectra.eigenvalues(cycle);
                    case "radius" -> () -> Spectra.spectralRadius(a);
                    case "radius-ei" -> () -> Spectra.spectralRadius(ei);
                    case "radius-cycle" -> () -> Spectra.spectralRadius(cycle);
                    default ->
                        throw new IllegalArgumentException(
                                "unknown op " + op
                                        + ": svd, eig, eig-sgeev, eig-ei, eig-cycle, eig-parts, radius, radius-ei or radius-cycle");
                };
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

    /**
     * Where {@code sgeev}'s time goes (eigenvalues only, balanced): LAPACK's three stages called
     * one by one as {@code sgeev} calls them, on the column-major reading of {@code a} (its
     * transpose: the same eigenvalues), each timed alone: balancing ({@code sgebal}, job 'B'),
     * the Hessenberg reduction ({@code sgehrd}) and the multishift QR ({@code shseqr}, job 'E',
     * no Schur vectors). One RESULT line per stage, op {@code eig:<stage>}.
     */
    static void eigParts(String side, Matrix a, int runs, int warmup) {
        int n = a.rows;
        float[] original = a.toArray();
        double[][] ms = new double[3][runs];
        for (int i = -warmup; i < runs; i++) {
            float[] h = original.clone(), scale = new float[n], tau = new float[Math.max(1, n - 1)];
            float[] wr = new float[n], wi = new float[n], z = new float[1];
            int[] ilo = new int[1], ihi = new int[1];
            long t0 = System.nanoTime();
            check("sgebal", openblas.LAPACKE_sgebal(openblas.LAPACK_COL_MAJOR, (byte) 'B', n, h, n, ilo, ihi, scale));
            long t1 = System.nanoTime();
            check("sgehrd", openblas.LAPACKE_sgehrd(openblas.LAPACK_COL_MAJOR, n, ilo[0], ihi[0], h, n, tau));
            long t2 = System.nanoTime();
            check(
                    "shseqr",
                    openblas.LAPACKE_shseqr(
                            openblas.LAPACK_COL_MAJOR, (byte) 'E', (byte) 'N', n, ilo[0], ihi[0], h, n, wr, wi, z, 1));
            long t3 = System.nanoTime();
            if (i < 0) continue;
            ms[0][i] = (t1 - t0) / 1e6;
            ms[1][i] = (t2 - t1) / 1e6;
            ms[2][i] = (t3 - t2) / 1e6;
        }
        String[] stages = {"gebal", "gehrd", "hseqr"};
        for (int k = 0; k < 3; k++) {
            Arrays.sort(ms[k]);
            System.out.printf(
                    "RESULT\t%s\teig:%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%d%n",
                    side, stages[k], n, ms[k][runs / 2], ms[k][0], ms[k][runs - 1], Double.NaN, runs);
        }
    }

    /**
     * A Dale's-law matrix made from {@code a}: the first 80 % of columns excitatory ({@code |a|}), the
     * rest inhibitory ({@code -4 |a|}, so each row's inhibition balances its excitation on average), as
     * the E/I networks' recurrent and effective matrices are. {@code bench/torch_spectra.py} makes the same.
     */
    static Matrix dale(Matrix a) {
        int n = a.rows, excitatory = n * 4 / 5;
        Matrix d = Matrix.zeros(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                float w = Math.abs(a.get(i, j));
                d.set(i, j, j < excitatory ? w : -4 * w);
            }
        return d;
    }

    /**
     * The cyclic permutation {@code e_i -> e_(i+1 mod n)}: all n eigenvalues on the unit circle, so no Ritz
     * value separates and the Arnoldi iteration runs its whole budget before {@code sgeev} answers (the
     * worst case of {@link Spectra#spectralRadius(Matrix)}). {@code bench/torch_spectra.py} makes the same.
     */
    static Matrix cycle(int n) {
        Matrix c = Matrix.zeros(n, n);
        for (int i = 0; i < n; i++) c.set(i, (i + 1) % n, 1f);
        return c;
    }

    private static void check(String routine, int info) {
        if (info != 0) throw new ArithmeticException(routine + " failed: info = " + info);
    }
}
