package io.eiscope.engine.bench;

import io.eiscope.engine.tensor.Matrix;
import io.eiscope.engine.tensor.Spectra;
import java.util.Arrays;
import java.util.Random;

/**
 * Median time of {@link Spectra#singularValues} on an n x n float matrix of Gaussian entries
 * (default 500, 20 timed runs after 5 warm-ups). Not a test (surefire never runs it). Usage:
 * {@code java -cp ... io.eiscope.engine.bench.SpectraBench [n] [runs]}; set
 * {@code OPENBLAS_NUM_THREADS=1} for one core.
 */
public final class SpectraBench {
    private SpectraBench() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500, runs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Random r = new Random(1);
        Matrix a = Matrix.zeros(n, n);
        for (int i = 0; i < a.size(); i++) a.set(i, (float) r.nextGaussian());
        for (int i = 0; i < 5; i++) Spectra.singularValues(a);
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            Spectra.singularValues(a);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("singular values %dx%d float32 (%s): median %.2f ms of %d%n", n, n,
                Spectra.nativeLapack() ? "LAPACK sgesdd" : "pure-Java Jacobi", ms[runs / 2], runs);
    }
}
